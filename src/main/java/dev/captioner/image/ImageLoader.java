package dev.captioner.image;

import dev.captioner.util.CaptionerException;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes image files the way Keras' {@code load_img} (PIL) does: JPEG (baseline, progressive,
 * grey, CMYK/YCCK), PNG, BMP, GIF (first frame) and WebP become 8-bit RGB with alpha dropped,
 * no colour management; a JPEG's EXIF orientation is applied ({@link ExifOrientation}), which
 * Keras does not do (no fixture or dataset image read so far carries the tag). No other format is
 * decoded, whatever readers the class path brings. A {@link DecodeScale} other than
 * {@link DecodeScale#FULL} lets the decoder skip pixels the encoder's resize would not read (the
 * fast path of captioning): the reader's source subsampling, each kept pixel the centre of its
 * block. Limits keep hostile files cheap: a file over the byte limit is
 * refused before it is read whole, an image over the pixel limit is refused from its header
 * before its raster is decoded (a decompression bomb costs nothing), an optional decode time
 * limit stops a file that takes too long (a progressive JPEG of thousands of scans), and an
 * optional {@link PixelBudget} bounds the pixels decoded at once across threads, each decoded
 * copy counted until the caller's use of it is over ({@link #decode(byte[], String, Function)}).
 * Truncated, empty and non-image files, and anything a decoder throws on a malformed file, are
 * errors naming the file.
 */
public final class ImageLoader {

    /** The default limit on width × height as option defaults spell it: 100 megapixels. */
    public static final String DEFAULT_MAX_PIXELS_TEXT = "100000000";
    /** Default limit on width × height: 100 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = Long.parseLong(DEFAULT_MAX_PIXELS_TEXT);

    /** Default limit on an image file's size: 256 MiB, far above any photo's. */
    public static final long DEFAULT_MAX_BYTES = 256L << 20;

    private static final Logger LOG = LoggerFactory.getLogger(ImageLoader.class);
    private static final String JDK_JPEG_READER = "com.sun.imageio.plugins.jpeg.JPEGImageReader";
    /** The formats decoded, as ImageIO's readers name them. */
    private static final Set<String> FORMATS = Set.of("jpeg", "png", "gif", "bmp", "webp");
    /** Stops decodes that pass their time limit. */
    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

    static {
        ImageIO.setUseCache(false);
        ImageIO.scanForPlugins();
    }

    private final long maxPixels;
    private final long maxBytes;
    private final PixelBudget budget;
    private final Duration decodeTimeout;

    /** @param maxPixels largest width × height accepted */
    public ImageLoader(long maxPixels) {
        this(maxPixels, DEFAULT_MAX_BYTES, null);
    }

    /**
     * @param maxPixels largest width × height accepted
     * @param maxBytes largest file accepted, in bytes
     * @param budget bounds the pixels decoded at once across threads, or null for no bound
     */
    public ImageLoader(long maxPixels, long maxBytes, PixelBudget budget) {
        this(maxPixels, maxBytes, budget, null);
    }

    /**
     * @param maxPixels largest width × height accepted
     * @param maxBytes largest file accepted, in bytes
     * @param budget bounds the pixels decoded at once across threads, or null for no bound
     * @param decodeTimeout the longest one image may take to decode, or null for no limit
     */
    public ImageLoader(long maxPixels, long maxBytes, PixelBudget budget, Duration decodeTimeout) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("max pixels must be positive, was " + maxPixels);
        }
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("max bytes must be positive, was " + maxBytes);
        }
        this.maxPixels = maxPixels;
        this.maxBytes = maxBytes;
        this.budget = budget;
        this.decodeTimeout = decodeTimeout;
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

    /** @return a loader with the default limits and no decoding budget */
    public static ImageLoader withDefaults() {
        return new ImageLoader(DEFAULT_MAX_PIXELS);
    }

    /** @return the largest file accepted, in bytes */
    public long maxBytes() {
        return maxBytes;
    }

    /** @return the largest width × height accepted */
    public long maxPixels() {
        return maxPixels;
    }

    /**
     * @param file an image file
     * @return its RGB pixels
     * @throws CaptionerException naming the file if it cannot be read or decoded
     */
    public RgbImage load(Path file) {
        return load(file, DecodeScale.FULL);
    }

    /**
     * @param file an image file
     * @param scale how much smaller than stored the image may be decoded
     * @return its RGB pixels, upright
     * @throws CaptionerException naming the file if it cannot be read or decoded
     */
    public RgbImage load(Path file, DecodeScale scale) {
        try {
            if (Files.size(file) > maxBytes) {
                throw tooManyBytes(file.toString());
            }
            try (InputStream in = Files.newInputStream(file)) {
                return decode(readBounded(in, file.toString()), file.toString(), scale, Function.identity());
            }
        } catch (NoSuchFileException e) {
            throw new CaptionerException(file + ": no such file");
        } catch (IOException e) {
            throw new CaptionerException(file + ": cannot read: " + message(e), e);
        }
    }

    /**
     * Reads an image from a stream, never more than the byte limit (so a zip entry that inflates
     * to gigabytes costs nothing).
     *
     * @param in the encoded image; not closed
     * @param name what to call it in messages
     * @return its RGB pixels
     * @throws IOException if the stream fails
     * @throws CaptionerException naming the image if it is too large or cannot be decoded
     */
    public RgbImage read(InputStream in, String name) throws IOException {
        return decode(readBounded(in, name), name);
    }

    /**
     * Reads an image from a stream and hands it to {@code use} while its pixels still count
     * against the decoding budget.
     *
     * @param in the encoded image; not closed
     * @param name what to call it in messages
     * @param use what to make of the pixels (e.g. the network's input); it should not keep them
     * @param <T> what it makes
     * @return what {@code use} returned
     * @throws IOException if the stream fails
     */
    public <T> T read(InputStream in, String name, Function<RgbImage, T> use) throws IOException {
        return decode(readBounded(in, name), name, use);
    }

    private byte[] readBounded(InputStream in, String name) throws IOException {
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        if (bytes.length > maxBytes) {
            throw tooManyBytes(name);
        }
        return bytes;
    }

    private CaptionerException tooManyBytes(String name) {
        String limit = maxBytes >= 1 << 20 ? String.format(Locale.ROOT, "%.0f MB", maxBytes / 1048576.0)
                : maxBytes + " bytes";
        return new ImageTooLargeException(name + ": file larger than the limit of " + limit);
    }

    /**
     * @param bytes an encoded image
     * @param name what to call it in messages (a path, an upload's name)
     * @return its RGB pixels
     * @throws CaptionerException naming the image if it cannot be decoded or is too large
     */
    public RgbImage decode(byte[] bytes, String name) {
        return decode(bytes, name, Function.identity());
    }

    /**
     * Decodes an image and hands it to {@code use} while its pixels still count against the
     * decoding budget: the budget then bounds every decoded copy, not only the decoder's raster.
     *
     * @param bytes an encoded image
     * @param name what to call it in messages
     * @param use what to make of the pixels (e.g. the network's input); it should not keep them
     * @param <T> what it makes
     * @return what {@code use} returned
     * @throws CaptionerException naming the image if it cannot be decoded or is too large
     */
    public <T> T decode(byte[] bytes, String name, Function<RgbImage, T> use) {
        return decode(bytes, name, DecodeScale.FULL, use);
    }

    /**
     * Decodes an image, perhaps subsampled, and hands it to {@code use} while its pixels still
     * count against the decoding budget.
     *
     * @param bytes an encoded image
     * @param name what to call it in messages
     * @param scale how much smaller than stored the image may be decoded
     * @param use what to make of the pixels; it should not keep them
     * @param <T> what it makes
     * @return what {@code use} returned
     * @throws CaptionerException naming the image if it cannot be decoded or is too large
     */
    public <T> T decode(byte[] bytes, String name, DecodeScale scale, Function<RgbImage, T> use) {
        if (bytes.length == 0) {
            throw new CaptionerException(name + ": empty file");
        }
        if (bytes.length > maxBytes) {
            throw tooManyBytes(name);
        }
        long deadline = decodeTimeout == null ? Long.MAX_VALUE : System.nanoTime() + decodeTimeout.toNanos();
        try (ImageInputStream in = new DeadlineImageInputStream(bytes, deadline)) {
            List<ImageReader> readers;
            try {
                readers = readers(in);
            } catch (RuntimeException e) {
                throw new CaptionerException(name + ": not an image (" + message(e) + ")", e);
            }
            if (readers.isEmpty()) {
                throw new CaptionerException(name + ": not an image (unrecognised format)");
            }
            int orientation = ExifOrientation.of(bytes);
            CaptionerException last = null;
            for (ImageReader reader : readers) {
                in.seek(0);
                try {
                    return read(reader, in, name, deadline, new Shrink(scale, orientation, bytes), use);
                } catch (UseFailure e) {
                    // The caller's own failure, not the decoder's: it goes out as it is.
                    throw e.getCause();
                } catch (CaptionerException e) {
                    // Too large, busy, truncated: the same with any reader.
                    throw e;
                } catch (IOException | RuntimeException e) {
                    if (System.nanoTime() - deadline > 0) {
                        throw timedOut(name);
                    }
                    // e.g. the JDK's JPEG reader refuses CMYK: try the next reader. Decoders
                    // throw anything on malformed input (index, negative size, state errors).
                    last = new CaptionerException(name + ": cannot decode " + format(reader) + ": " + message(e), e);
                } catch (OutOfMemoryError e) {
                    // A malformed file that makes a decoder allocate a huge array: that one
                    // allocation failed, nothing else was harmed.
                    last = new CaptionerException(name + ": cannot decode " + format(reader)
                            + ": the file asks for more memory than is available", e);
                } finally {
                    reader.dispose();
                }
            }
            throw last;
        } catch (IOException e) {
            throw new CaptionerException(name + ": cannot read: " + message(e), e);
        }
    }

    /** A failure of the caller's use of the pixels, carried past the decoder's error handling. */
    private static final class UseFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UseFailure(RuntimeException cause) {
            super(cause);
        }

        @Override
        public synchronized RuntimeException getCause() {
            return (RuntimeException) super.getCause();
        }
    }

    private ImageTooLargeException timedOut(String name) {
        return new ImageTooLargeException(String.format(Locale.ROOT, "%s: took longer than the limit of %.1f s to decode",
                name, decodeTimeout.toMillis() / 1000.0));
    }

    private static List<ImageReader> readers(ImageInputStream in) {
        List<ImageReader> jdkFirst = new ArrayList<>();
        Iterator<ImageReader> it = ImageIO.getImageReaders(in);
        while (it.hasNext()) {
            ImageReader r = it.next();
            if (!decoded(r)) {
                r.dispose();
                continue;
            }
            // The JDK's JPEG decoder matches libjpeg (PIL's) sample for sample; TwelveMonkeys'
            // reader is the fallback for CMYK and YCCK, which the JDK cannot read.
            if (isJdkJpeg(r)) {
                jdkFirst.add(0, r);
            } else {
                jdkFirst.add(r);
            }
        }
        return jdkFirst;
    }

    private static boolean isJdkJpeg(ImageReader reader) {
        return reader.getClass().getName().equals(JDK_JPEG_READER);
    }

    /** @return whether the reader is for one of the formats decoded here */
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

    /** How to decode: the scale asked for, the file's EXIF orientation, and the file. */
    private record Shrink(DecodeScale scale, int orientation, byte[] bytes) {}

    private <T> T read(ImageReader reader, ImageInputStream in, String name, long deadline, Shrink shrink,
            Function<RgbImage, T> use) throws IOException {
        reader.setInput(in, true, true);
        long w = reader.getWidth(0);
        long h = reader.getHeight(0);
        if (w <= 0 || h <= 0) {
            throw new CaptionerException(name + ": corrupt image header (size " + w + "x" + h + ")");
        }
        if (w * h > maxPixels) {
            throw new ImageTooLargeException(String.format(Locale.ROOT,
                    "%s: image is %dx%d (%.1f megapixels), over the limit of %.1f megapixels (--max-pixels)",
                    name, w, h, w * h / 1e6, maxPixels / 1e6));
        }
        boolean swap = ExifOrientation.swapsSides(shrink.orientation());
        int factor = (int) Math.max(1, Math.min(Math.min(w, h),
                shrink.scale().factor((int) (swap ? h : w), (int) (swap ? w : h))));
        // Each kept pixel is the centre of its factor × factor block rather than its corner.
        int offset = (factor - 1) / 2;
        // A JPEG that libjpeg-turbo can scale while decoding goes to it (when OpenCV is there):
        // 1/2, 1/4 or 1/8 of each side, at most the factor asked for.
        int reduction = factor > 1 && isJdkJpeg(reader) && DctScaledJpeg.available()
                && DctScaledJpeg.suits(shrink.bytes()) ? DctScaledJpeg.reduction(factor) : 1;
        long decoded = reduction > 1 ? ((w + reduction - 1) / reduction) * ((h + reduction - 1) / reduction)
                : ((w - offset + factor - 1) / factor) * ((h - offset + factor - 1) / factor);
        PixelBudget.Lease lease = budget == null ? () -> { } : budget.acquire(decoded, name);
        try {
            RgbImage scaled = reduction > 1 ? dctScaled(shrink.bytes(), reduction, name) : null;
            if (scaled != null) {
                // The native decode cannot be stopped, but it only gets files it decodes in time
                // proportional to their size (DctScaledJpeg.suits), within the upload limit.
                if (System.nanoTime() - deadline > 0) {
                    throw timedOut(name);
                }
                RgbImage rgb = ExifOrientation.apply(scaled, shrink.orientation());
                scaled = null;
                try {
                    return use.apply(rgb);
                } catch (RuntimeException e) {
                    throw new UseFailure(e);
                }
            }
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
            BufferedImage image;
            // The stream stops feeding a decoder past the deadline; the watchdog stops one that
            // has all its input and is still working.
            ScheduledFuture<?> dog = deadline == Long.MAX_VALUE ? null
                    : WATCHDOG.schedule(reader::abort, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            try {
                image = reader.read(0, param);
            } finally {
                if (dog != null) {
                    dog.cancel(false);
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw timedOut(name);
            }
            for (String warning : warnings) {
                String lower = warning.toLowerCase(Locale.ROOT);
                if (lower.contains("premature end") || lower.contains("truncat") || lower.contains("corrupt")) {
                    throw new CaptionerException(name + ": truncated or corrupt image (" + warning + ")");
                }
            }
            RgbImage rgb = ExifOrientation.apply(RasterConversion.toRgb(image), shrink.orientation());
            image = null; // the decoder's raster may go while the RGB copy is used
            try {
                return use.apply(rgb);
            } catch (RuntimeException e) {
                throw new UseFailure(e);
            }
        } finally {
            lease.close();
        }
    }

    /** @return the JPEG decoded by libjpeg-turbo at 1/reduction, or null to use the JDK's reader */
    private static RgbImage dctScaled(byte[] bytes, int reduction, String name) {
        try {
            return DctScaledJpeg.decode(bytes, reduction);
        } catch (RuntimeException e) {
            // OpenCV's own exception for data libjpeg refused: the JDK's reader says why.
            LOG.debug("{}: OpenCV refused it; decoding with the JDK's reader", name, e);
            return null;
        }
    }

    /**
     * For a JPEG with an embedded ICC profile the JDK offers the samples converted to sRGB
     * first and the samples as decoded second; PIL (and so Keras) uses the latter.
     */
    private static ImageTypeSpecifier uncorrectedRgb(ImageReader reader) throws IOException {
        if (!isJdkJpeg(reader)) {
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

    private static String format(ImageReader reader) {
        try {
            return reader.getFormatName().toUpperCase(Locale.ROOT);
        } catch (IOException e) {
            return "image";
        }
    }

    private static String message(Throwable e) {
        if (e instanceof java.io.EOFException) {
            return "the file ends too early";
        }
        return e.getMessage() == null ? "malformed data (" + e.getClass().getSimpleName() + ")" : e.getMessage();
    }
}
