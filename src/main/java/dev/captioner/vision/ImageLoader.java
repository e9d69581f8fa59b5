package dev.captioner.vision;

import dev.captioner.util.CaptionerException;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes image files the way Keras' {@code load_img} (PIL) does: JPEG (baseline, progressive,
 * grey, CMYK/YCCK), PNG, BMP, GIF (first frame) and WebP become 8-bit RGB with alpha dropped,
 * no colour management and EXIF orientation ignored. Images over a pixel limit are refused from
 * their header, before the raster is decoded, so a decompression bomb costs nothing. Truncated,
 * empty and non-image files are errors naming the file.
 */
public final class ImageLoader {

    /** Default limit on width × height: 100 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

    private static final String JDK_JPEG_READER = "com.sun.imageio.plugins.jpeg.JPEGImageReader";

    static {
        ImageIO.setUseCache(false);
        ImageIO.scanForPlugins();
    }

    private final long maxPixels;

    /** @param maxPixels largest width × height accepted */
    public ImageLoader(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("max pixels must be positive, was " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    /** @return a loader with the default pixel limit */
    public static ImageLoader withDefaults() {
        return new ImageLoader(DEFAULT_MAX_PIXELS);
    }

    /**
     * @param file an image file
     * @return its RGB pixels
     * @throws CaptionerException naming the file if it cannot be read or decoded
     */
    public RgbImage load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CaptionerException(file + ": no such file");
        } catch (IOException e) {
            throw new CaptionerException(file + ": cannot read: " + e.getMessage(), e);
        }
        return decode(bytes, file.toString());
    }

    /**
     * @param bytes an encoded image
     * @param name what to call it in messages (a path, an upload's name)
     * @return its RGB pixels
     * @throws CaptionerException naming the image if it cannot be decoded or is too large
     */
    public RgbImage decode(byte[] bytes, String name) {
        if (bytes.length == 0) {
            throw new CaptionerException(name + ": empty file");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            List<ImageReader> readers = readers(in);
            if (readers.isEmpty()) {
                throw new CaptionerException(name + ": not an image (unrecognised format)");
            }
            CaptionerException last = null;
            for (ImageReader reader : readers) {
                in.seek(0);
                try {
                    return read(reader, in, name);
                } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
                    // e.g. the JDK's JPEG reader refuses CMYK: try the next reader.
                    last = new CaptionerException(name + ": cannot decode " + format(reader) + ": " + message(e), e);
                } finally {
                    reader.dispose();
                }
            }
            throw last;
        } catch (IOException e) {
            throw new CaptionerException(name + ": cannot read: " + message(e), e);
        }
    }

    private static List<ImageReader> readers(ImageInputStream in) {
        List<ImageReader> jdkFirst = new ArrayList<>();
        Iterator<ImageReader> it = ImageIO.getImageReaders(in);
        while (it.hasNext()) {
            ImageReader r = it.next();
            // The JDK's JPEG decoder matches libjpeg (PIL's) sample for sample; TwelveMonkeys'
            // reader is the fallback for CMYK and YCCK, which the JDK cannot read.
            if (r.getClass().getName().equals(JDK_JPEG_READER)) {
                jdkFirst.add(0, r);
            } else {
                jdkFirst.add(r);
            }
        }
        return jdkFirst;
    }

    private RgbImage read(ImageReader reader, ImageInputStream in, String name) throws IOException {
        reader.setInput(in, true, true);
        long w = reader.getWidth(0);
        long h = reader.getHeight(0);
        if (w * h > maxPixels) {
            throw new ImageTooLargeException(String.format(Locale.ROOT,
                    "%s: image is %dx%d (%.1f megapixels), over the limit of %.1f megapixels (--max-pixels)",
                    name, w, h, w * h / 1e6, maxPixels / 1e6));
        }
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((IIOReadWarningListener) (source, warning) -> warnings.add(warning));
        ImageReadParam param = reader.getDefaultReadParam();
        ImageTypeSpecifier raw = uncorrectedRgb(reader);
        if (raw != null) {
            param.setDestinationType(raw);
        }
        BufferedImage image = reader.read(0, param);
        for (String warning : warnings) {
            String lower = warning.toLowerCase(Locale.ROOT);
            if (lower.contains("premature end") || lower.contains("truncat") || lower.contains("corrupt")) {
                throw new CaptionerException(name + ": truncated or corrupt image (" + warning + ")");
            }
        }
        return RasterConversion.toRgb(image);
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

    private static String format(ImageReader reader) {
        try {
            return reader.getFormatName().toUpperCase(Locale.ROOT);
        } catch (IOException e) {
            return "image";
        }
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
