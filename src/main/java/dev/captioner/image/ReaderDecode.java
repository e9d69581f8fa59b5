package dev.captioner.image;

import dev.captioner.util.CaptionerException;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decoding through ImageIO's readers, the path a deadline can stop: the JDK's JPEG reader first
 * (it matches libjpeg, and so PIL, sample for sample), TwelveMonkeys' for the CMYK and YCCK JPEGs
 * the JDK refuses, and the PNG, GIF, BMP and WebP readers; no other format, whatever readers the
 * class path brings. The stream stops feeding a decoder past the deadline, and a watchdog aborts
 * one that has all its input and is still working. A JPEG that makes libjpeg warn of truncated
 * or corrupt data is refused, as the native path never gets such a file ({@link JpegEntropyCheck}).
 */
final class ReaderDecode {

    private static final String JDK_JPEG_READER = "com.sun.imageio.plugins.jpeg.JPEGImageReader";
    /** The formats decoded, as ImageIO's readers name them. */
    private static final Set<String> FORMATS = Set.of("jpeg", "png", "gif", "bmp", "webp");
    /** Stops decodes that pass their time limit. */
    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

    static {
        ImageIO.setUseCache(false);
        ImageIO.scanForPlugins();
    }

    private ReaderDecode() {
    }

    private static ScheduledThreadPoolExecutor watchdog() {
        ScheduledThreadPoolExecutor w = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "captioner-decode-watchdog");
            t.setDaemon(true);
            return t;
        });
        w.setRemoveOnCancelPolicy(true);
        return w;
    }

    /**
     * @param in the encoded image
     * @return the readers for it, the JDK's JPEG reader first; empty if none decodes its format
     */
    static List<ImageReader> readers(ImageInputStream in) {
        List<ImageReader> jdkFirst = new ArrayList<>();
        Iterator<ImageReader> it = ImageIO.getImageReaders(in);
        while (it.hasNext()) {
            ImageReader r = it.next();
            if (!decoded(r)) {
                r.dispose();
            } else if (r.getClass().getName().equals(JDK_JPEG_READER)) {
                jdkFirst.add(0, r);
            } else {
                jdkFirst.add(r);
            }
        }
        return jdkFirst;
    }

    private static boolean decoded(ImageReader reader) {
        if (reader.getOriginatingProvider() == null) {
            return false;
        }
        for (String f : reader.getOriginatingProvider().getFormatNames()) {
            if (FORMATS.contains(f.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Decodes with one reader whose input is set, keeping every {@code factor}-th pixel from
     * {@code offset} in each direction.
     *
     * @param reader the reader
     * @param factor the subsampling factor (1: every pixel)
     * @param offset where in each block the kept pixel is
     * @param deadline the {@link System#nanoTime()} to stop by, or {@link Long#MAX_VALUE}
     * @param name the image, for messages
     * @return the pixels, without EXIF orientation
     * @throws IOException from the reader (an aborted read included)
     */
    static RgbImage decode(ImageReader reader, int factor, int offset, long deadline, String name) throws IOException {
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((IIOReadWarningListener) (source, warning) -> warnings.add(warning));
        ImageReadParam param = reader.getDefaultReadParam();
        ImageTypeSpecifier raw = uncorrectedRgb(reader);
        if (raw != null) {
            param.setDestinationType(raw);
        }
        if (factor > 1) {
            param.setSourceSubsampling(factor, factor, offset, offset);
        }
        ScheduledFuture<?> dog = deadline == Long.MAX_VALUE ? null
                : WATCHDOG.schedule(reader::abort, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        BufferedImage image;
        try {
            image = reader.read(0, param);
        } finally {
            if (dog != null) {
                dog.cancel(false);
            }
        }
        for (String warning : warnings) {
            String lower = warning.toLowerCase(Locale.ROOT);
            if (lower.contains("premature end") || lower.contains("truncat") || lower.contains("corrupt")) {
                throw new CaptionerException(name + ": truncated or corrupt image (" + warning + ")");
            }
        }
        return image == null ? null : RasterConversion.toRgb(image);
    }

    /**
     * For a JPEG with an embedded ICC profile the JDK offers the samples converted to sRGB
     * first and the samples as decoded second; PIL (and so Keras) uses the latter.
     */
    private static ImageTypeSpecifier uncorrectedRgb(ImageReader reader) throws IOException {
        if (!reader.getClass().getName().equals(JDK_JPEG_READER)) {
            return null;
        }
        Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
        while (types.hasNext()) {
            ImageTypeSpecifier t = types.next();
            ColorSpace cs = t.getColorModel().getColorSpace();
            if (cs.getType() == ColorSpace.TYPE_RGB && !cs.isCS_sRGB()) {
                return t;
            }
        }
        return null;
    }

    /** @return the reader's format in capitals, for messages */
    static String format(ImageReader reader) {
        try {
            return reader.getFormatName().toUpperCase(Locale.ROOT);
        } catch (IOException e) {
            return "image";
        }
    }
}
