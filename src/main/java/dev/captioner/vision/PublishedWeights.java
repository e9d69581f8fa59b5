package dev.captioner.vision;

import dev.captioner.util.CaptionerHome;
import dev.captioner.util.RemoteFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The published Keras weights files captioner fetches when none is given: from Keras' current
 * address first ({@code storage.googleapis.com/tensorflow/keras-applications}), the original
 * {@code fchollet/deep-learning-models} GitHub release second. Checked against Keras' published
 * MD5s where Keras publishes one (VGG16); MobileNet has none, so its SHA-256 is recorded at the
 * first download (the 0.25 variant's is known from the copy in the project's shared material).
 */
public enum PublishedWeights {

    /** The Keras tutorial's file: VGG16 with the top, Keras 1 layout; feature fc2 (4,096). */
    VGG16("vgg16", new RemoteFile("vgg16_weights_tf_dim_ordering_tf_kernels.h5", List.of(
            "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5",
            "https://github.com/fchollet/deep-learning-models/releases/download/v0.1/vgg16_weights_tf_dim_ordering_tf_kernels.h5"),
            "64373286793e3c8b2b4e3219cbf3544b", null, 553_467_096L)),

    /** VGG16 without the top; feature: global average of block5_pool (512). */
    VGG16_NOTOP("vgg16-notop", new RemoteFile("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", List.of(
            "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
            "https://github.com/fchollet/deep-learning-models/releases/download/v0.1/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"),
            "6d6bbae143d832006294945121d1f1fc", null, 58_889_256L)),

    /** MobileNet v1, alpha 1.0, 224 px, no top; feature 1,024. No checksum is published. */
    MOBILENET("mobilenet", new RemoteFile("mobilenet_1_0_224_tf_no_top.h5", List.of(
            "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_1_0_224_tf_no_top.h5",
            "https://github.com/fchollet/deep-learning-models/releases/download/v0.6/mobilenet_1_0_224_tf_no_top.h5"),
            null, null, -1)),

    /** MobileNet v1, alpha 0.25, 224 px, no top; feature 256. */
    MOBILENET_025("mobilenet-0.25", new RemoteFile("mobilenet_2_5_224_tf_no_top.h5", List.of(
            "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/mobilenet_2_5_224_tf_no_top.h5",
            "https://github.com/fchollet/deep-learning-models/releases/download/v0.6/mobilenet_2_5_224_tf_no_top.h5"),
            null, "dbdb03ee2a22fd895301636cd328b234bb3a9952358f436d82f46b81e0d5b0bf", 2_108_140L));

    private final String id;
    private final RemoteFile file;

    PublishedWeights(String id, RemoteFile file) {
        this.id = id;
        this.file = file;
    }

    /** @return the name {@code captioner weights download} takes */
    public String id() {
        return id;
    }

    /** @return the file and where it is published */
    public RemoteFile file() {
        return file;
    }

    /** @return where it is cached: {@code $CAPTIONER_HOME/weights/FILE} */
    public Path cached() {
        return CaptionerHome.weights().resolve(file.fileName());
    }

    /**
     * @param id a name such as {@code vgg16}
     * @return the weights it names
     * @throws IllegalArgumentException listing the names if it names none
     */
    public static PublishedWeights parse(String id) {
        String n = id.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(w -> w.id.equals(n)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown weights '" + id + "' (expected one of "
                        + String.join(", ", Arrays.stream(values()).map(PublishedWeights::id).toList()) + ")"));
    }
}
