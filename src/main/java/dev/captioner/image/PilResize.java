package dev.captioner.image;

import java.util.Locale;

/**
 * Resizing exactly as Pillow's {@code Image.resize} does it on an RGB image (Pillow 9's
 * {@code Resample.c}, which torchvision's transforms call on PIL images): a separable
 * convolution, horizontal pass first, whose kernel is widened by the scale when shrinking
 * (antialiasing), with the coefficients rounded to 22-bit fixed point and each pass rounded and
 * clipped to 8 bits. {@code nearest} is Pillow's affine nearest-neighbour, the same as
 * {@link KerasResize#nearest}. Byte for byte equal to Pillow (a test compares with files Pillow
 * made).
 */
public final class PilResize {

    /** The resampling filters, as Pillow names them. */
    public enum Filter {
        /** Nearest neighbour. */
        NEAREST(0),
        /** Triangle filter, support 1. */
        BILINEAR(1),
        /** Keys' cubic with a = −0.5, support 2. */
        BICUBIC(2);

        private final double support;

        Filter(double support) {
            this.support = support;
        }

        double weight(double x) {
            double ax = Math.abs(x);
            return switch (this) {
                case BILINEAR -> ax < 1.0 ? 1.0 - ax : 0.0;
                case BICUBIC -> {
                    double a = -0.5;
                    if (ax < 1.0) {
                        yield ((a + 2.0) * ax - (a + 3.0)) * ax * ax + 1;
                    }
                    yield ax < 2.0 ? (((ax - 5) * ax + 8) * ax - 4) * a : 0.0;
                }
                case NEAREST -> throw new IllegalStateException("nearest has no kernel");
            };
        }

        /**
         * @param s {@code nearest}, {@code bilinear} or {@code bicubic}
         * @return the filter
         */
        public static Filter parse(String s) {
            for (Filter f : values()) {
                if (f.name().toLowerCase(Locale.ROOT).equals(s)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("unknown interpolation '" + s + "' (expected nearest, bilinear or bicubic)");
        }
    }

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResize() {}

    /**
     * @param in an RGB image
     * @param width target width
     * @param height target height
     * @param filter the resampling filter
     * @return the resized image (the same pixels when the size does not change)
     */
    public static RgbImage resize(RgbImage in, int width, int height, Filter filter) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("size must be positive, was " + width + "x" + height);
        }
        if (in.width() == width && in.height() == height) {
            return new RgbImage(width, height, in.rgb().clone());
        }
        if (filter == Filter.NEAREST) {
            return KerasResize.nearest(in, width, height);
        }
        Coefficients horizontal = Coefficients.of(in.width(), width, filter);
        Coefficients vertical = Coefficients.of(in.height(), height, filter);
        boolean needHorizontal = width != in.width();
        boolean needVertical = height != in.height();
        RgbImage current = in;
        int rowOffset = 0;
        if (needHorizontal) {
            // Only the source rows the vertical pass reads are resampled horizontally.
            int first = vertical.bounds[0];
            int last = vertical.bounds[height * 2 - 2] + vertical.bounds[height * 2 - 1];
            current = horizontal(in, width, first, last - first, horizontal);
            rowOffset = first;
        }
        if (needVertical) {
            current = vertical(current, height, rowOffset, vertical);
        }
        return current;
    }

    /** A pass's kernel: for each output pixel, the first source pixel, the count, and fixed-point weights. */
    private record Coefficients(int ksize, int[] bounds, int[] weights) {

        static Coefficients of(int inSize, int outSize, Filter filter) {
            // Pillow's box is (0, 0, inSize, ...) in float.
            double scale = (double) ((float) inSize - 0f) / outSize;
            double filterScale = Math.max(1.0, scale);
            double support = filter.support * filterScale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            int[] bounds = new int[outSize * 2];
            int[] fixed = new int[outSize * ksize];
            double[] k = new double[ksize];
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                double ww = 0.0;
                double ss = 1.0 / filterScale;
                int xmin = (int) (center - support + 0.5);
                if (xmin < 0) {
                    xmin = 0;
                }
                int xmax = (int) (center + support + 0.5);
                if (xmax > inSize) {
                    xmax = inSize;
                }
                xmax -= xmin;
                for (int x = 0; x < xmax; x++) {
                    double w = filter.weight((x + xmin - center + 0.5) * ss);
                    k[x] = w;
                    ww += w;
                }
                for (int x = 0; x < ksize; x++) {
                    double v = x < xmax ? (ww != 0.0 ? k[x] / ww : k[x]) : 0.0;
                    // Pillow's normalize_coeffs_8bpc: rounded half away from zero, then truncated.
                    fixed[xx * ksize + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS))
                            : (int) (0.5 + v * (1 << PRECISION_BITS));
                }
                bounds[xx * 2] = xmin;
                bounds[xx * 2 + 1] = xmax;
            }
            return new Coefficients(ksize, bounds, fixed);
        }
    }

    private static int clip8(int v) {
        int s = v >> PRECISION_BITS;
        return s < 0 ? 0 : s > 255 ? 255 : s;
    }

    private static RgbImage horizontal(RgbImage in, int width, int firstRow, int rows, Coefficients c) {
        byte[] src = in.rgb();
        byte[] out = new byte[width * rows * 3];
        int inWidth = in.width();
        for (int yy = 0; yy < rows; yy++) {
            int rowBase = (yy + firstRow) * inWidth * 3;
            for (int xx = 0; xx < width; xx++) {
                int xmin = c.bounds[xx * 2];
                int xmax = c.bounds[xx * 2 + 1];
                int k = xx * c.ksize;
                int s0 = 1 << (PRECISION_BITS - 1);
                int s1 = s0;
                int s2 = s0;
                for (int x = 0; x < xmax; x++) {
                    int p = rowBase + (x + xmin) * 3;
                    int w = c.weights[k + x];
                    s0 += (src[p] & 0xFF) * w;
                    s1 += (src[p + 1] & 0xFF) * w;
                    s2 += (src[p + 2] & 0xFF) * w;
                }
                int o = (yy * width + xx) * 3;
                out[o] = (byte) clip8(s0);
                out[o + 1] = (byte) clip8(s1);
                out[o + 2] = (byte) clip8(s2);
            }
        }
        return new RgbImage(width, rows, out);
    }

    private static RgbImage vertical(RgbImage in, int height, int rowOffset, Coefficients c) {
        byte[] src = in.rgb();
        int width = in.width();
        byte[] out = new byte[width * height * 3];
        for (int yy = 0; yy < height; yy++) {
            int ymin = c.bounds[yy * 2] - rowOffset;
            int ymax = c.bounds[yy * 2 + 1];
            int k = yy * c.ksize;
            for (int xx = 0; xx < width; xx++) {
                int s0 = 1 << (PRECISION_BITS - 1);
                int s1 = s0;
                int s2 = s0;
                for (int y = 0; y < ymax; y++) {
                    int p = ((y + ymin) * width + xx) * 3;
                    int w = c.weights[k + y];
                    s0 += (src[p] & 0xFF) * w;
                    s1 += (src[p + 1] & 0xFF) * w;
                    s2 += (src[p + 2] & 0xFF) * w;
                }
                int o = (yy * width + xx) * 3;
                out[o] = (byte) clip8(s0);
                out[o + 1] = (byte) clip8(s1);
                out[o + 2] = (byte) clip8(s2);
            }
        }
        return new RgbImage(width, height, out);
    }

    /**
     * torchvision's {@code Resize(size)} then {@code CenterCrop(crop)} on a PIL image: the shorter
     * side becomes {@code size} (the longer {@code int(size * long / short)}), then the centre
     * {@code cropWidth × cropHeight} is cut out at {@code round((h - ch) / 2)}, Python's
     * round-half-to-even, as torchvision computes it. A crop larger than the resized image on a
     * side is padded with black there first, as torchvision's {@code center_crop} pads: half the
     * missing pixels before (rounded down) and the rest after.
     *
     * @param in an RGB image
     * @param size the shorter side after resizing
     * @param cropWidth crop width
     * @param cropHeight crop height
     * @param filter the resampling filter
     * @return the crop
     */
    public static RgbImage shorterSideThenCenterCrop(RgbImage in, int size, int cropWidth, int cropHeight,
            Filter filter) {
        int w = in.width();
        int h = in.height();
        int shortSide = Math.min(w, h);
        int longSide = Math.max(w, h);
        int newShort = size;
        int newLong = (int) ((double) ((long) size * longSide) / shortSide);
        int newW = w <= h ? newShort : newLong;
        int newH = w <= h ? newLong : newShort;
        RgbImage resized = resize(in, newW, newH, filter);
        // torchvision pads a side the crop overhangs: left/top floor(missing / 2), right/bottom the rest.
        int padLeft = cropWidth > newW ? (cropWidth - newW) / 2 : 0;
        int padTop = cropHeight > newH ? (cropHeight - newH) / 2 : 0;
        int paddedW = cropWidth > newW ? cropWidth : newW;
        int paddedH = cropHeight > newH ? cropHeight : newH;
        int top = (int) Math.rint((paddedH - cropHeight) / 2.0) - padTop;
        int left = (int) Math.rint((paddedW - cropWidth) / 2.0) - padLeft;
        byte[] out = new byte[cropWidth * cropHeight * 3];
        // The crop's columns that fall on the resized image (the rest stay black).
        int x0 = Math.max(0, -left);
        int x1 = Math.min(cropWidth, newW - left);
        for (int y = 0; y < cropHeight; y++) {
            int sy = y + top;
            if (sy < 0 || sy >= newH || x1 <= x0) {
                continue;
            }
            System.arraycopy(resized.rgb(), (sy * newW + left + x0) * 3, out, (y * cropWidth + x0) * 3, (x1 - x0) * 3);
        }
        return new RgbImage(cropWidth, cropHeight, out);
    }
}
