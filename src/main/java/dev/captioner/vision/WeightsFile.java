package dev.captioner.vision;

/**
 * A published Keras weights file that captioner can fetch when none is given.
 *
 * @param fileName the file's name, as Keras caches it
 * @param url where Keras downloads it from
 * @param md5 the published MD5, or null where Keras publishes none
 * @param size size in bytes, or -1 if unknown
 */
public record WeightsFile(String fileName, String url, String md5, long size) {

    /** The seed's file: VGG16 with the top, Keras 1 layout. */
    public static final WeightsFile VGG16 = new WeightsFile("vgg16_weights_tf_dim_ordering_tf_kernels.h5",
            "https://github.com/fchollet/deep-learning-models/releases/download/v0.1/vgg16_weights_tf_dim_ordering_tf_kernels.h5",
            "64373286793e3c8b2b4e3219cbf3544b", 553_467_096L);

    /** VGG16 without the top. */
    public static final WeightsFile VGG16_NOTOP = new WeightsFile("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "https://github.com/fchollet/deep-learning-models/releases/download/v0.1/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "6d6bbae143d832006294945121d1f1fc", 58_889_256L);

    /** MobileNet v1, alpha 1.0, 224 px, no top (Keras publishes no checksum for it). */
    public static final WeightsFile MOBILENET = new WeightsFile("mobilenet_1_0_224_tf_no_top.h5",
            "https://github.com/fchollet/deep-learning-models/releases/download/v0.6/mobilenet_1_0_224_tf_no_top.h5",
            null, -1);
}
