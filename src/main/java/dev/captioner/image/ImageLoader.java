package dev.captioner.image;

import dev.captioner.util.CaptionerException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import javax.imageio.ImageReader;
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
 * fast path of captioning): the reader's source subsampling, each kept pixel the middle of its
 * block (for an even factor, the first of its two middle pixels), or libjpeg-turbo's scaled decode for a JPEG that {@link JpegStructure} passes. Limits
 * keep hostile files cheap: a file over the byte limit is refused before it is read whole, an
 * image over the pixel limit is refused from its header before its raster is decoded (a
 * decompression bomb costs nothing), a JPEG of more than {@link JpegStructure#MAX_SCANS} scans
 * is refused from its structure, an optional decode time limit stops a file that takes too long
 * on the path that can be stopped ({@link ReaderDecode}), and an optional {@link MemoryBudget}
 * bounds the memory decodes hold at once across threads (the decoder's working memory and each
 * decoded copy, until the caller's use of it is over, {@link #decode(byte[], String, Function)}).
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
    private final long maxPixels;
    private final long maxBytes;
    private final MemoryBudget budget;
    private final Duration decodeTimeout;

    /** @param maxPixels largest width × height accepted */
    public ImageLoader(long maxPixels) {
        this(maxPixels, DEFAULT_MAX_BYTES, null);
    }

    /**
     * @param maxPixels largest width × height accepted
     * @param maxBytes largest file accepted, in bytes
     * @param budget bounds the memory decodes hold at once across threads, or null for no bound
     */
    public ImageLoader(long maxPixels, long maxBytes, MemoryBudget budget) {
        this(maxPixels, maxBytes, budget, null);
    }

    /**
     * @param maxPixels largest width × height accepted
     * @param maxBytes largest file accepted, in bytes
     * @param budget bounds the memory decodes hold at once across threads, or null for no bound
     * @param decodeTimeout the longest one image may take to decode, or null for no limit
     */
    public ImageLoader(long maxPixels, long maxBytes, MemoryBudget budget, Duration decodeTimeout) {
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
     * count against the memory budget. The steps: the byte limit; the JPEG structure (the scan
     * limit, the native path's gate); then with each reader that takes the format, the header
     * (the pixel limit), the plan (how small to decode, on which path, in how much memory), the
     * lease on the budget, the decode, the EXIF orientation and the caller's use.
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
        checkBytes(bytes, name);
        long deadline = decodeTimeout == null ? Long.MAX_VALUE : System.nanoTime() + decodeTimeout.toNanos();
        Job job = new Job(bytes, name, scale, deadline, jpegStructure(bytes, name, deadline), ExifOrientation.of(bytes));
        try (ImageInputStream in = new DeadlineImageInputStream(bytes, deadline)) {
            CaptionerException last = null;
            for (ImageReader reader : readers(in, name)) {
                in.seek(0);
                try {
                    return decodeWith(reader, in, job, use);
                } catch (UseFailure e) {
                    throw e.getCause(); // the caller's own failure, not the decoder's
                } catch (CaptionerException e) {
                    throw e; // too large, busy, truncated: the same with any reader
                } catch (IOException | RuntimeException e) {
                    if (System.nanoTime() - deadline > 0) {
                        throw timedOut(name);
                    }
                    // e.g. the JDK's JPEG reader refuses CMYK: try the next reader. Decoders
                    // throw anything on malformed input (index, negative size, state errors).
                    last = new CaptionerException(name + ": cannot decode " + ReaderDecode.format(reader) + ": "
                            + message(e), e);
                } catch (OutOfMemoryError e) {
                    // A malformed file that makes a decoder allocate a huge array: that one
                    // allocation failed, nothing else was harmed.
                    last = new CaptionerException(name + ": cannot decode " + ReaderDecode.format(reader)
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

    /** One decode: the file, what it is called, how small it may be decoded, by when. */
    private record Job(byte[] bytes, String name, DecodeScale scale, long deadline, JpegStructure jpeg,
            int orientation) {}

    /**
     * How one reader's decode goes: keep every {@code factor}-th pixel from {@code offset}, or
     * let libjpeg-turbo decode at {@code 1/reduction}; in {@code bytes} of memory.
     */
    private record Plan(int factor, int offset, int reduction, long bytes) {}

    private void checkBytes(byte[] bytes, String name) {
        if (bytes.length == 0) {
            throw new CaptionerException(name + ": empty file");
        }
        if (bytes.length > maxBytes) {
            throw tooManyBytes(name);
        }
    }

    /** @return the JPEG's structure, or null for another format; refuses a JPEG of too many scans */
    private static JpegStructure jpegStructure(byte[] bytes, String name, long deadline) {
        if (!JpegStructure.isJpeg(bytes)) {
            return null;
        }
        JpegStructure jpeg = JpegStructure.read(bytes, deadline);
        if (jpeg.scans() > JpegStructure.MAX_SCANS) {
            throw new ImageTooLargeException(String.format(Locale.ROOT,
                    "%s: a JPEG of %d scans, over the limit of %d (encoders write about 10)", name, jpeg.scans(),
                    JpegStructure.MAX_SCANS));
        }
        return jpeg;
    }

    private static List<ImageReader> readers(ImageInputStream in, String name) {
        List<ImageReader> readers;
        try {
            readers = ReaderDecode.readers(in);
        } catch (RuntimeException e) {
            throw new CaptionerException(name + ": not an image (" + message(e) + ")", e);
        }
        if (readers.isEmpty()) {
            throw new CaptionerException(name + ": not an image (unrecognised format)");
        }
        return readers;
    }

    private <T> T decodeWith(ImageReader reader, ImageInputStream in, Job job, Function<RgbImage, T> use)
            throws IOException {
        reader.setInput(in, true, true);
        long w = reader.getWidth(0);
        long h = reader.getHeight(0);
        checkPixels(w, h, job.name());
        Plan plan = plan(w, h, job);
        try (MemoryBudget.Lease lease = budget == null ? null : budget.acquire(plan.bytes(), job.name())) {
            RgbImage pixels = plan.reduction() > 1 ? dctScaled(job, plan.reduction()) : null;
            if (pixels == null) {
                pixels = ReaderDecode.decode(reader, plan.factor(), plan.offset(), job.deadline(), job.name());
            }
            // A native decode cannot be stopped, but it only gets files it decodes in time
            // proportional to their size (JpegStructure), within the upload limit.
            if (System.nanoTime() - job.deadline() > 0) {
                throw timedOut(job.name());
            }
            RgbImage upright = ExifOrientation.apply(pixels, job.orientation());
            pixels = null; // the decoder's copy may go while the upright one is used
            try {
                return use.apply(upright);
            } catch (RuntimeException e) {
                throw new UseFailure(e);
            }
        }
    }

    private void checkPixels(long w, long h, String name) {
        if (w <= 0 || h <= 0) {
            throw new CaptionerException(name + ": corrupt image header (size " + w + "x" + h + ")");
        }
        if (w * h > maxPixels) {
            throw new ImageTooLargeException(String.format(Locale.ROOT,
                    "%s: image is %dx%d (%.1f megapixels), over the limit of %.1f megapixels (--max-pixels)",
                    name, w, h, w * h / 1e6, maxPixels / 1e6));
        }
    }

    private static Plan plan(long w, long h, Job job) {
        boolean swap = ExifOrientation.swapsSides(job.orientation());
        int factor = (int) Math.max(1, Math.min(Math.min(w, h),
                job.scale().factor((int) (swap ? h : w), (int) (swap ? w : h))));
        // Each kept pixel is the middle of its factor × factor block rather than its corner: for
        // an even factor, the first of its two middle pixels (pixel 1 of a block of 4).
        int offset = (factor - 1) / 2;
        // A JPEG that libjpeg-turbo can scale while decoding goes to it (when OpenCV is there):
        // 1/2, 1/4 or 1/8 of each side, at most the factor asked for.
        int reduction = factor > 1 && job.jpeg() != null && job.jpeg().scalable() && DctScaledJpeg.available()
                ? DctScaledJpeg.reduction(factor) : 1;
        long pixels = reduction > 1 ? ((w + reduction - 1) / reduction) * ((h + reduction - 1) / reduction)
                : ((w - offset + factor - 1) / factor) * ((h - offset + factor - 1) / factor);
        long working = job.jpeg() == null ? 0 : job.jpeg().workingBytes();
        return new Plan(factor, offset, reduction, pixels * MemoryBudget.BYTES_PER_PIXEL + working);
    }

    /** @return the JPEG decoded by libjpeg-turbo at 1/reduction, or null to use the reader */
    private static RgbImage dctScaled(Job job, int reduction) {
        try {
            return DctScaledJpeg.decode(job.bytes(), reduction);
        } catch (RuntimeException e) {
            // OpenCV's own exception for data libjpeg refused: the JDK's reader says why.
            LOG.debug("{}: OpenCV refused it; decoding with the JDK's reader", job.name(), e);
            return null;
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

    private static String message(Throwable e) {
        if (e instanceof java.io.EOFException) {
            return "the file ends too early";
        }
        return e.getMessage() == null ? "malformed data (" + e.getClass().getSimpleName() + ")" : e.getMessage();
    }
}
