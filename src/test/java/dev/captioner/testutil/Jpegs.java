package dev.captioner.testutil;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Photo-like JPEGs made on the fly, and the hostile variants the decoder's gate must catch: a
 * file with thousands of scans, one that hides its progressive frame behind a restart marker,
 * and one whose coded data was cut short.
 */
public final class Jpegs {

    private Jpegs() {
    }

    /** @return gradients with seeded noise, as textured as a photo where it matters */
    public static BufferedImage photo(int w, int h, long seed) {
        BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] px = ((java.awt.image.DataBufferInt) b.getRaster().getDataBuffer()).getData();
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int base = (x * 255 / w) << 16 | (y * 255 / h) << 8 | ((x + y) & 0xFF);
                px[y * w + x] = base ^ r.nextInt(16);
            }
        }
        return b;
    }

    /** @return the image as a baseline (or progressive) JPEG of quality 0.9, by the JDK's encoder */
    public static byte[] jpeg(BufferedImage image, boolean progressive) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.9f);
        if (progressive) {
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(image, null, null), param);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** @return the index of the first marker {@code 0xFF code} at or after {@code from}, outside coded data */
    private static int marker(byte[] b, int code, int from) {
        int i = from;
        while (i + 1 < b.length) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == code) {
                return i;
            }
            i++;
        }
        return -1;
    }

    /** @return the end of the scan starting at {@code sos}: the next marker that is not a stuffed byte or a restart */
    private static int scanEnd(byte[] b, int sos) {
        int i = sos + 2 + (((b[sos + 2] & 0xFF) << 8) | (b[sos + 3] & 0xFF));
        while (i + 1 < b.length) {
            int next = b[i + 1] & 0xFF;
            if ((b[i] & 0xFF) == 0xFF && next != 0x00 && !(next >= 0xD0 && next <= 0xD7)) {
                return i;
            }
            i++;
        }
        return b.length;
    }

    /**
     * A progressive JPEG whose first scan (the DC scan) is repeated until the file has
     * {@code scans} scans: libjpeg decodes every one of them, each a pass over the image.
     */
    public static byte[] manyScans(BufferedImage image, int scans) {
        byte[] p = jpeg(image, true);
        int sos = marker(p, 0xDA, 2);
        int end = scanEnd(p, sos);
        int eoi = p.length - 2;
        int existing = 0;
        for (int i = marker(p, 0xDA, 2); i >= 0; i = marker(p, 0xDA, scanEnd(p, i))) {
            existing++;
        }
        byte[] scan = Arrays.copyOfRange(p, sos, end);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(p, 0, eoi);
        for (int k = existing; k < scans; k++) {
            out.write(scan, 0, scan.length);
        }
        out.write(p, eoi, 2);
        return out.toByteArray();
    }

    /**
     * The restart-marker trick: SOI, then a lone RST0 (a marker with no length), then an APP1
     * segment holding the bytes of a baseline SOF0 frame header, then the rest of a progressive
     * file of many scans. A gate that reads a length after every marker is misled into a
     * baseline frame; libjpeg ignores the RST0 and decodes every scan.
     */
    public static byte[] restartTrick(BufferedImage image, int scans) {
        byte[] p = manyScans(image, scans);
        byte[] baseline = jpeg(image, false);
        int sof0 = marker(baseline, 0xC0, 2);
        int sofLength = ((baseline[sof0 + 2] & 0xFF) << 8) | (baseline[sof0 + 3] & 0xFF);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(p, 0, 2); // SOI
        out.write(0xFF);
        out.write(0xD0); // RST0, no length
        int appLength = 2 + sofLength + 2;
        out.write(0xFF);
        out.write(0xE1);
        out.write(appLength >> 8);
        out.write(appLength & 0xFF);
        out.write(baseline, sof0, sofLength + 2); // a fake SOF0 inside APP1
        out.write(p, 2, p.length - 2);
        return out.toByteArray();
    }

    /**
     * A baseline JPEG whose coded data stops at {@code fraction} of its length and is closed with
     * EOI: libjpeg warns "Corrupt JPEG data: premature end of data segment" and fills the rest.
     */
    public static byte[] cutCodedData(BufferedImage image, double fraction) {
        byte[] b = jpeg(image, false);
        int sos = marker(b, 0xDA, 2);
        int dataStart = sos + 2 + (((b[sos + 2] & 0xFF) << 8) | (b[sos + 3] & 0xFF));
        int cut = dataStart + (int) ((b.length - 2 - dataStart) * fraction);
        if ((b[cut - 1] & 0xFF) == 0xFF) {
            cut--; // never leave half a stuffed byte
        }
        byte[] out = Arrays.copyOf(b, cut + 2);
        out[cut] = (byte) 0xFF;
        out[cut + 1] = (byte) 0xD9;
        return out;
    }
}
