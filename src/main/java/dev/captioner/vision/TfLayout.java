package dev.captioner.vision;

/**
 * Rearranges TensorFlow-layout weights into the layouts PyTorch (DJL) convolutions and dense
 * layers take.
 */
final class TfLayout {

    private TfLayout() {}

    /** Convolution kernel {@code (kh, kw, in, out)} to {@code (out, in, kh, kw)}. */
    static float[] convKernel(float[] w, int kh, int kw, int in, int out) {
        float[] r = new float[w.length];
        for (int y = 0; y < kh; y++) {
            for (int x = 0; x < kw; x++) {
                for (int i = 0; i < in; i++) {
                    int src = ((y * kw + x) * in + i) * out;
                    for (int o = 0; o < out; o++) {
                        r[((o * in + i) * kh + y) * kw + x] = w[src + o];
                    }
                }
            }
        }
        return r;
    }

    /**
     * Dense kernel {@code (in, out)} to DJL's {@code (out, in)}, optionally reordering the inputs
     * of a layer that follows a flatten: TensorFlow flattens {@code (h, w, c)} (row
     * {@code (h*S + w)*C + c}), DJL flattens {@code (c, h, w)} (column {@code c*S*S + h*S + w}).
     *
     * @param w kernel, {@code in * out} values
     * @param in inputs
     * @param out outputs
     * @param channels C of the flattened map, or 0 if the inputs are not a flattened map
     */
    static float[] denseKernel(float[] w, int in, int out, int channels) {
        float[] r = new float[w.length];
        int spatial = channels == 0 ? 0 : in / channels;
        for (int row = 0; row < in; row++) {
            int col = row;
            if (channels > 0) {
                int c = row % channels;
                int hw = row / channels;
                col = c * spatial + hw;
            }
            for (int o = 0; o < out; o++) {
                r[o * in + col] = w[row * out + o];
            }
        }
        return r;
    }
}
