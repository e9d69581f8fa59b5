package dev.captioner.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Turns decoded samples into 8-bit RGB by PIL's rules for {@code convert("RGB")}, reading the
 * raster directly so that no colour management (ICC profiles) is applied, as PIL applies none.
 */
final class RasterConversion {

    private RasterConversion() {}

    static RgbImage toRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] out = new byte[w * h * 3];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm instanceof IndexColorModel icm) {
            int[] idx = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, idx);
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3;
                    out[o] = (byte) icm.getRed(idx[x]);
                    out[o + 1] = (byte) icm.getGreen(idx[x]);
                    out[o + 2] = (byte) icm.getBlue(idx[x]);
                }
            }
            return new RgbImage(w, h, out);
        }
        int bands = raster.getNumBands();
        int bits = raster.getSampleModel().getSampleSize(0);
        boolean cmyk = cm.getColorSpace().getType() == ColorSpace.TYPE_CMYK && bands >= 4;
        boolean gray = bands <= 2;
        int[][] rows = new int[Math.min(bands, 4)][w];
        for (int y = 0; y < h; y++) {
            for (int b = 0; b < rows.length; b++) {
                raster.getSamples(0, y, w, 1, b, rows[b]);
            }
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                if (gray) {
                    // PIL maps 16-bit grey to mode "I", whose RGB conversion clips at 255.
                    int v = bits > 8 ? Math.min(rows[0][x], 255) : rows[0][x];
                    out[o] = out[o + 1] = out[o + 2] = (byte) v;
                } else if (cmyk) {
                    int nk = 255 - rows[3][x];
                    out[o] = (byte) clip(nk - mulDiv255(rows[0][x], nk));
                    out[o + 1] = (byte) clip(nk - mulDiv255(rows[1][x], nk));
                    out[o + 2] = (byte) clip(nk - mulDiv255(rows[2][x], nk));
                } else {
                    // PIL reads 16-bit RGB by keeping the high byte.
                    int shift = bits > 8 ? bits - 8 : 0;
                    out[o] = (byte) (rows[0][x] >> shift);
                    out[o + 1] = (byte) (rows[1][x] >> shift);
                    out[o + 2] = (byte) (rows[2][x] >> shift);
                }
            }
        }
        if (raster.getDataBuffer().getDataType() == DataBuffer.TYPE_FLOAT) {
            throw new IllegalArgumentException("floating-point images are not supported");
        }
        return new RgbImage(w, h, out);
    }

    /** PIL's {@code MULDIV255}: a rounded {@code a * b / 255}. */
    private static int mulDiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }

    private static int clip(int v) {
        return v < 0 ? 0 : Math.min(v, 255);
    }
}
