package dev.captioner.bench;

import dev.captioner.decode.CaptionDecoder;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.model.CaptionModel;
import dev.captioner.util.CaptionerException;
import dev.captioner.vision.ImageEncoder;
import dev.captioner.image.ImageLoader;
import dev.captioner.image.RgbImage;
import java.util.ArrayList;
import java.util.List;

/**
 * How often the fast decode path changes what a model says: each photo captioned (greedy) from
 * the exact decode and from the fast one, and the two features compared by cosine.
 */
public final class DecodeAgreement {

    private DecodeAgreement() {}

    /**
     * @param images photos compared
     * @param subsampled how many the fast path decoded smaller than stored (the rest are the same pixels)
     * @param identicalCaptions how many got the same caption both ways
     * @param identicalShare identical / images
     * @param minCosine the lowest cosine between a photo's two features
     * @param meanCosine the mean cosine
     * @param changed the captions that differed, "exact | fast"
     * @param shiftedIdenticalShare for scale: the share of captions the exact path keeps when the
     *     photo loses its first row and column (every pick of the nearest resize moves by a pixel)
     * @param shiftedMeanCosine the mean cosine of that one-pixel shift
     */
    public record Result(int images, int subsampled, int identicalCaptions, double identicalShare, double minCosine,
            double meanCosine, List<String> changed, double shiftedIdenticalShare, double shiftedMeanCosine) {}

    /** @return the image without its first row and column */
    private static RgbImage shifted(RgbImage image) {
        int w = image.width() - 1;
        int h = image.height() - 1;
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            System.arraycopy(image.rgb(), ((y + 1) * image.width() + 1) * 3, out, y * w * 3, w * 3);
        }
        return new RgbImage(w, h, out);
    }

    /**
     * A photo to compare.
     *
     * @param name what to call it
     * @param bytes the encoded file
     */
    public record Photo(String name, byte[] bytes) {}

    /**
     * The photo enlarged to phone size: its longer side {@code longSide} (bilinear), sensor-like
     * noise added and saved as a quality-0.9 JPEG, as {@link PhotoBenchmark#jpeg} writes.
     *
     * @param photo a photo
     * @param longSide the longer side wanted, e.g. 4032
     * @return the enlarged photo
     */
    public static Photo enlarged(Photo photo, int longSide) throws java.io.IOException {
        RgbImage image = ImageLoader.withDefaults().decode(photo.bytes(), photo.name());
        double f = (double) longSide / Math.max(image.width(), image.height());
        int w = (int) Math.round(image.width() * f);
        int h = (int) Math.round(image.height() * f);
        java.awt.image.BufferedImage big = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = big.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(image.toBufferedImage(), 0, 0, w, h, null);
        g.dispose();
        return new Photo(photo.name() + "@" + w + "x" + h, PhotoBenchmark.encode(PhotoBenchmark.noisy(big, 5, 1)));
    }

    /**
     * @param encoder the image network
     * @param model the caption model reading its features
     * @param photos the photos
     * @return the comparison
     */
    public static Result compare(ImageEncoder encoder, CaptionModel model, List<Photo> photos) {
        ImageLoader loader = ImageLoader.withDefaults();
        CaptionDecoder decoder = new CaptionDecoder(model);
        int same = 0;
        int smaller = 0;
        int n = 0;
        double min = 1;
        double sum = 0;
        List<String> changed = new ArrayList<>();
        int shiftedSame = 0;
        double shiftedSum = 0;
        for (Photo p : photos) {
            byte[] bytes = p.bytes();
            RgbImage full;
            RgbImage fast;
            try {
                full = loader.decode(bytes, p.name());
                fast = loader.decode(bytes, p.name(), encoder.decodeScale(), x -> x);
            } catch (CaptionerException e) {
                continue;
            }
            n++;
            if (fast.width() < full.width()) {
                smaller++;
            }
            float[][] f = encoder.encode(List.of(encoder.prepare(full), encoder.prepare(fast),
                    encoder.prepare(shifted(full))));
            double c = cosine(f[0], f[1]);
            shiftedSum += cosine(f[0], f[2]);
            min = Math.min(min, c);
            sum += c;
            List<String> captions = decoder.decode(f, DecodeSpec.greedy()).stream().map(b -> b.get(0).text()).toList();
            if (captions.get(0).equals(captions.get(2))) {
                shiftedSame++;
            }
            if (captions.get(0).equals(captions.get(1))) {
                same++;
            } else {
                changed.add(p.name() + ": " + captions.get(0) + " | " + captions.get(1));
            }
        }
        return new Result(n, smaller, same, n == 0 ? 0 : (double) same / n, min, n == 0 ? 0 : sum / n, changed,
                n == 0 ? 0 : (double) shiftedSame / n, n == 0 ? 0 : shiftedSum / n);
    }

    static double cosine(float[] a, float[] b) {
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return aa == 0 || bb == 0 ? (aa == bb ? 1 : 0) : ab / Math.sqrt(aa * bb);
    }
}
