package dev.captioner.image;

import java.awt.image.BufferedImage;

/**
 * A decoded 8-bit RGB image, the equivalent of a PIL image in mode {@code "RGB"}.
 *
 * @param width width in pixels
 * @param height height in pixels
 * @param rgb samples, row-major, interleaved R, G, B; {@code width * height * 3} bytes
 */
public record RgbImage(int width, int height, byte[] rgb) {

    /** Checks the buffer size. */
    public RgbImage {
        if (width <= 0 || height <= 0 || rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("bad image buffer: " + width + "x" + height + " with " + rgb.length + " bytes");
        }
    }

    /**
     * @param x column
     * @param y row
     * @param c channel (0 red, 1 green, 2 blue)
     * @return the sample, 0 to 255
     */
    public int sample(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    /**
     * Converts an AWT image the way PIL's {@code convert("RGB")} does: alpha is dropped (not
     * blended), grey is replicated, palettes are looked up; no colour management.
     *
     * @param image any image
     * @return its RGB samples
     */
    public static RgbImage of(BufferedImage image) {
        return RasterConversion.toRgb(image);
    }

    /** @return this image as an AWT image, e.g. for drawing */
    public BufferedImage toBufferedImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = (y * width + x) * 3;
                row[x] = (rgb[i] & 0xFF) << 16 | (rgb[i + 1] & 0xFF) << 8 | (rgb[i + 2] & 0xFF);
            }
            img.setRGB(0, y, width, 1, row, 0, width);
        }
        return img;
    }
}
