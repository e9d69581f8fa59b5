package dev.captioner.image;

import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerHome;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JPEG decoding at 1/2, 1/4 or 1/8 of the stored size inside the decoder: libjpeg-turbo's DCT
 * scaling, through OpenCV (the optional {@code org.openpnp:opencv} artifact, which the CLI jar
 * bundles). A scaled decode runs the inverse DCT on a 4 × 4, 2 × 2 or 1 × 1 corner of each 8 × 8
 * block instead of all of it and skips the full-size colour conversion, so a phone photo costs a
 * fraction of a full decode (measured on a 12 MP JPEG of 1.6 MB: 15 ms at 1/8 against 58 ms whole with the
 * JDK's reader and 31 ms with its source subsampling, which still decodes every block). Each
 * decoded pixel is the mean of its block, where the JDK's subsampled read takes one stored pixel.
 *
 * <p>Only what libjpeg decodes in time proportional to its size is given to it: a sequential
 * (baseline or extended) 8-bit JPEG with one or three components that ends with its end marker.
 * Progressive files (whose many scans can make a small file slow), CMYK, 12-bit, arithmetic-coded
 * and truncated files go to the JDK's reader, with its decode time limit and its truncation
 * check. Absent OpenCV, or on a platform whose native library does not load, {@link #available()}
 * is false and the JDK's reader does everything.
 */
final class DctScaledJpeg {

    private static final Logger LOG = LoggerFactory.getLogger(DctScaledJpeg.class);

    private DctScaledJpeg() {
    }

    /** @return whether OpenCV's native library is loaded */
    static boolean available() {
        return Native.LOADED;
    }

    /**
     * @param factor the whole factor the image may be decoded smaller by
     * @return the largest of 8, 4 and 2 that is at most {@code factor}, or 1
     */
    static int reduction(int factor) {
        return factor >= 8 ? 8 : factor >= 4 ? 4 : factor >= 2 ? 2 : 1;
    }

    /**
     * @param bytes an encoded file
     * @return whether it is a JPEG that libjpeg decodes in time proportional to its size (see the
     *     class comment)
     */
    static boolean suits(byte[] bytes) {
        int n = bytes.length;
        if (n < 4 || (bytes[0] & 0xFF) != 0xFF || (bytes[1] & 0xFF) != 0xD8
                || (bytes[n - 2] & 0xFF) != 0xFF || (bytes[n - 1] & 0xFF) != 0xD9) {
            return false;
        }
        int i = 2;
        while (i + 4 <= n) {
            if ((bytes[i] & 0xFF) != 0xFF) {
                return false;
            }
            int marker = bytes[i + 1] & 0xFF;
            if (marker == 0xFF) {
                i++; // fill byte
                continue;
            }
            int length = ((bytes[i + 2] & 0xFF) << 8) | (bytes[i + 3] & 0xFF);
            if (marker == 0xC0 || marker == 0xC1) {
                // SOF0/SOF1: precision, height, width, components
                return i + 9 < n && (bytes[i + 4] & 0xFF) == 8
                        && ((bytes[i + 9] & 0xFF) == 1 || (bytes[i + 9] & 0xFF) == 3);
            }
            if (marker >= 0xC2 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
                    || marker == 0xDA || length < 2) {
                return false; // another frame type, or scan data before any frame header
            }
            i += 2 + length;
        }
        return false;
    }

    /**
     * Decodes at {@code 1/reduction} of the stored size (rounded up), without the EXIF
     * orientation (the caller applies it, as on the other path).
     *
     * @param bytes a JPEG for which {@link #suits} holds
     * @param reduction 2, 4 or 8
     * @return the RGB pixels, or null if the decoder refused the file
     */
    static RgbImage decode(byte[] bytes, int reduction) {
        return Decoder.decode(bytes, reduction);
    }

    /**
     * What touches OpenCV's classes, apart so that this class loads (and answers
     * {@link #available()} false) when the optional artifact is absent.
     */
    private static final class Decoder {
        private Decoder() {
        }

        static RgbImage decode(byte[] bytes, int reduction) {
            int flags = switch (reduction) {
                case 2 -> Imgcodecs.IMREAD_REDUCED_COLOR_2;
                case 4 -> Imgcodecs.IMREAD_REDUCED_COLOR_4;
                case 8 -> Imgcodecs.IMREAD_REDUCED_COLOR_8;
                default -> throw new IllegalArgumentException("reduction " + reduction);
            } | Imgcodecs.IMREAD_IGNORE_ORIENTATION;
            MatOfByte encoded = new MatOfByte(bytes);
            Mat bgr = Imgcodecs.imdecode(encoded, flags);
            encoded.release();
            try {
                if (bgr.empty() || bgr.channels() != 3 || bgr.depth() != CvType.CV_8U) {
                    return null;
                }
                int w = bgr.cols();
                int h = bgr.rows();
                // [h, w, 3] bytes, BGR as OpenCV keeps them; swapped to RGB in place.
                byte[] px = new byte[w * h * 3];
                bgr.get(0, 0, px);
                for (int i = 0; i < px.length; i += 3) {
                    byte b = px[i];
                    px[i] = px[i + 2];
                    px[i + 2] = b;
                }
                return new RgbImage(w, h, px);
            } finally {
                bgr.release();
            }
        }
    }

    /**
     * Loads OpenCV's native library once, if the artifact is on the class path. Not through
     * {@code nu.pattern.OpenCV.loadLocally()}: that extracts the 25-65 MB library into a new
     * temporary folder on every start and leaves it behind. Here it is extracted once per version
     * and platform into captioner's own folder ({@link CaptionerHome}), atomically, and loaded
     * from there by every later run.
     */
    private static final class Native {
        static final boolean LOADED = load();

        private static boolean load() {
            if (Boolean.getBoolean("captioner.opencv.off")) {
                return false;
            }
            try {
                String platform = platform();
                if (platform == null) {
                    LOG.debug("no OpenCV native library for {} {}; JPEGs are decoded by the JDK's reader",
                            System.getProperty("os.name"), System.getProperty("os.arch"));
                    return false;
                }
                String file = System.mapLibraryName(Core.NATIVE_LIBRARY_NAME);
                URL resource = DctScaledJpeg.class.getClassLoader().getResource("nu/pattern/opencv/" + platform + "/" + file);
                if (resource == null) {
                    return false; // a jar built for another platform
                }
                URLConnection connection = resource.openConnection();
                long size = connection.getContentLengthLong();
                Path target = CaptionerHome.dir().resolve("natives")
                        .resolve("opencv-" + Core.VERSION + "-" + platform.replace('/', '-') + "-" + size).resolve(file);
                if (!Files.isRegularFile(target) || Files.size(target) != size) {
                    try (InputStream in = connection.getInputStream()) {
                        AtomicFiles.write(target, out -> in.transferTo(out));
                    }
                }
                System.load(target.toAbsolutePath().toString());
                return true;
            } catch (IOException | RuntimeException | LinkageError e) {
                LOG.debug("OpenCV not available; JPEGs are decoded by the JDK's reader", e);
                return false;
            }
        }

        /** @return openpnp's folder name for this platform, or null if it has none */
        private static String platform() {
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
            String o = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "osx" : os.startsWith("windows") ? "windows" : null;
            String a = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64"
                    : arch.equals("aarch64") || arch.equals("arm64") ? "ARMv8" : null;
            return o == null || a == null ? null : o + "/" + a;
        }
    }
}
