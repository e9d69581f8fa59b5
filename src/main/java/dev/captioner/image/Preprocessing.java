package dev.captioner.image;

/**
 * How an encoder turns 8-bit RGB into network input, as Keras' {@code preprocess_input} does for
 * each model. Output is channels-first ({@code [3, H, W]}, flattened), DJL's layout.
 */
public enum Preprocessing {
    /** VGG16 ("caffe" mode): RGB to BGR, subtract the ImageNet means, no scaling. */
    CAFFE {
        @Override
        void apply(byte[] rgb, int plane, float[] out, int offset) {
            for (int i = 0; i < plane; i++) {
                out[offset + i] = (rgb[i * 3 + 2] & 0xFF) - 103.939f;
                out[offset + plane + i] = (rgb[i * 3 + 1] & 0xFF) - 116.779f;
                out[offset + 2 * plane + i] = (rgb[i * 3] & 0xFF) - 123.68f;
            }
        }
    },
    /** MobileNet ("tf" mode): {@code x / 127.5 - 1}, RGB order. */
    TF {
        @Override
        void apply(byte[] rgb, int plane, float[] out, int offset) {
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < plane; i++) {
                    out[offset + c * plane + i] = (rgb[i * 3 + c] & 0xFF) / 127.5f - 1f;
                }
            }
        }
    },
    /** The concepts encoder: {@code x / 255}, RGB order. */
    UNIT {
        @Override
        void apply(byte[] rgb, int plane, float[] out, int offset) {
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < plane; i++) {
                    out[offset + c * plane + i] = (rgb[i * 3 + c] & 0xFF) / 255f;
                }
            }
        }
    };

    abstract void apply(byte[] rgb, int plane, float[] out, int offset);

    /**
     * @param image an image already resized to the network's input size
     * @return {@code [3, H, W]} floats, flattened
     */
    public float[] toChw(RgbImage image) {
        int plane = image.width() * image.height();
        float[] out = new float[3 * plane];
        apply(image.rgb(), plane, out, 0);
        return out;
    }
}
