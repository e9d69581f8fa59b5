package dev.captioner.image;

/**
 * Resizes exactly like Keras' {@code load_img(path, target_size=(h, w))}, which calls PIL's
 * {@code resize((w, h), NEAREST)}. PIL's nearest-neighbour scaling ({@code ImagingScaleAffine})
 * walks the source with a running double-precision sum starting at half a step, and takes the
 * integer part; the running sum (not {@code x * scale}) is reproduced so that rounding at the
 * edges matches bit for bit. DJL's resize does not match it.
 */
public final class KerasResize {

    private KerasResize() {}

    /**
     * @param image source
     * @param width target width
     * @param height target height
     * @return the resized image (the source itself if the size already matches, as in PIL)
     */
    public static RgbImage nearest(RgbImage image, int width, int height) {
        if (image.width() == width && image.height() == height) {
            return image;
        }
        int[] xs = sourceIndices(image.width(), width);
        int[] ys = sourceIndices(image.height(), height);
        byte[] src = image.rgb();
        byte[] out = new byte[width * height * 3];
        int o = 0;
        for (int y = 0; y < height; y++) {
            int row = ys[y] * image.width();
            for (int x = 0; x < width; x++) {
                int s = (row + xs[x]) * 3;
                out[o++] = src[s];
                out[o++] = src[s + 1];
                out[o++] = src[s + 2];
            }
        }
        return new RgbImage(width, height, out);
    }

    /** Source index of each output column (or row), as PIL tabulates it. */
    static int[] sourceIndices(int sourceSize, int targetSize) {
        double scale = (double) sourceSize / targetSize;
        double pos = scale * 0.5;
        int[] idx = new int[targetSize];
        for (int i = 0; i < targetSize; i++) {
            int v = pos < 0 ? -1 : (int) pos;
            idx[i] = Math.min(Math.max(v, 0), sourceSize - 1);
            pos += scale;
        }
        return idx;
    }
}
