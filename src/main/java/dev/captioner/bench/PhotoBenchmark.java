package dev.captioner.bench;

import dev.captioner.util.JpegFiles;
import dev.captioner.image.DecodeScale;
import dev.captioner.vision.ImageEncoder;
import dev.captioner.image.ImageLoader;
import dev.captioner.image.RgbImage;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Locale;
import java.util.Random;

/**
 * What a large photo costs before the caption search: a generated phone-sized JPEG decoded whole
 * (the Keras-exact path) or only as far as the encoder reads ({@link DecodeScale}), each then made
 * into the network's input, and the network's own time for comparison.
 */
public final class PhotoBenchmark {

    private PhotoBenchmark() {}

    /**
     * Times of one photo, medians in milliseconds.
     *
     * @param width the photo's width
     * @param height its height
     * @param bytes its file size
     * @param decodedWidth the fast path's decoded width
     * @param decodedHeight the fast path's decoded height
     * @param exactMs decoding every pixel and preparing the network's input
     * @param fastMs decoding only what the encoder reads and preparing the input
     * @param encodeMs the image network on one prepared input
     * @param speedup exact / fast
     */
    public record Times(int width, int height, int bytes, int decodedWidth, int decodedHeight, double exactMs,
            double fastMs, double encodeMs, double speedup) {}

    /**
     * @param size {@code WIDTHxHEIGHT}, e.g. {@code 4032x3024}
     * @return {@link #jpeg(int, int, long)} of that size, seed 12
     * @throws IllegalArgumentException if the size is not two positive whole numbers
     */
    public static byte[] jpeg(String size) throws IOException {
        String[] wh = size.toLowerCase(Locale.ROOT).split("x");
        try {
            int w = Integer.parseInt(wh[0].trim());
            int h = wh.length == 2 ? Integer.parseInt(wh[1].trim()) : -1;
            if (w >= 16 && h >= 16 && (long) w * h <= 100_000_000L) {
                return jpeg(w, h, 12);
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("expected WIDTHxHEIGHT, each at least 16, at most 100 megapixels; was " + size);
    }

    /**
     * A photo-like JPEG: soft gradients, overlapping shapes and sensor-like noise, at quality 0.9
     * (about 3 bytes per 8 pixels at 12 megapixels, as phone cameras write). The same seed gives the
     * same file.
     *
     * @param width pixels across
     * @param height pixels down
     * @param seed the picture
     * @return the JPEG file's bytes
     */
    public static byte[] jpeg(int width, int height, long seed) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        Random r = new Random(seed);
        g.setPaint(new GradientPaint(0, 0, new Color(120, 170, 230), 0, height, new Color(60, 110, 40)));
        g.fillRect(0, 0, width, height);
        int shapes = 60;
        for (int i = 0; i < shapes; i++) {
            g.setColor(new Color(r.nextInt(256), r.nextInt(256), r.nextInt(256), 160 + r.nextInt(96)));
            int w = width / 20 + r.nextInt(width / 4);
            int h = height / 20 + r.nextInt(height / 4);
            g.fillOval(r.nextInt(width), r.nextInt(height), w, h);
        }
        g.dispose();
        return encode(noisy(image, 5, r.nextLong()));
    }

    /**
     * Adds grey Gaussian noise, as a camera sensor leaves, in place.
     *
     * @param image an RGB image
     * @param sigma the noise's standard deviation in 8-bit levels
     * @param seed the noise
     * @return the image
     */
    static BufferedImage noisy(BufferedImage image, double sigma, long seed) {
        Random r = new Random(seed);
        int width = image.getWidth();
        int[] row = new int[width];
        for (int y = 0; y < image.getHeight(); y++) {
            image.getRGB(0, y, width, 1, row, 0, width);
            for (int x = 0; x < width; x++) {
                int n = (int) (r.nextGaussian() * sigma);
                int p = row[x];
                row[x] = clamp((p >> 16 & 255) + n) << 16 | clamp((p >> 8 & 255) + n) << 8 | clamp((p & 255) + n);
            }
            image.setRGB(0, y, width, 1, row, 0, width);
        }
        return image;
    }

    /**
     * @param image an RGB image
     * @return it as a quality-0.9 JPEG
     */
    static byte[] encode(BufferedImage image) {
        return JpegFiles.encode(image, 0.9f);
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    /**
     * @param photo an encoded photo
     * @param encoder the image network
     * @param runs timed runs (after one warm-up)
     * @return the medians
     */
    public static Times time(byte[] photo, ImageEncoder encoder, int runs) {
        ImageLoader loader = ImageLoader.withDefaults();
        DecodeScale fast = encoder.decodeScale();
        RgbImage full = loader.decode(photo, "photo.jpg");
        RgbImage small = loader.decode(photo, "photo.jpg", fast, x -> x);
        float[] input = encoder.prepare(small);
        encoder.encode(java.util.List.of(input));
        double[] exact = new double[runs];
        double[] quick = new double[runs];
        double[] encode = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            loader.decode(photo, "photo.jpg", DecodeScale.FULL, encoder::prepare);
            long t1 = System.nanoTime();
            loader.decode(photo, "photo.jpg", fast, encoder::prepare);
            long t2 = System.nanoTime();
            encoder.encode(java.util.List.of(input));
            long t3 = System.nanoTime();
            exact[i] = (t1 - t0) / 1e6;
            quick[i] = (t2 - t1) / 1e6;
            encode[i] = (t3 - t2) / 1e6;
        }
        double e = DecodeBenchmark.median(exact);
        double f = DecodeBenchmark.median(quick);
        return new Times(full.width(), full.height(), photo.length, small.width(), small.height(), round(e),
                round(f), round(DecodeBenchmark.median(encode)), round(e / f));
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
