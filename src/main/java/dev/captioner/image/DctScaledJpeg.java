package dev.captioner.image;

import dev.captioner.util.CaptionerHome;
import dev.captioner.util.PrivateNatives;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
 * <p>Native code cannot be stopped, so only what libjpeg decodes in time proportional to its size,
 * without a warning, is given to it: {@link JpegStructure#scalable()} decides, in Java, before
 * OpenCV sees a byte. Progressive files (whose many scans can make a small file slow), CMYK,
 * 12-bit, arithmetic-coded, truncated and corrupt files go to the JDK's reader, with its decode
 * time limit and its truncation and corruption checks. Absent OpenCV, or on a platform whose native library does not load, {@link #available()}
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
     * Decodes at {@code 1/reduction} of the stored size (rounded up), without the EXIF
     * orientation (the caller applies it, as on the other path).
     *
     * @param bytes a JPEG for which {@link JpegStructure#scalable()} holds
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
     * temporary folder on every start and leaves it behind. Here it is unpacked once per version
     * and platform into a private folder of captioner's own ({@link CaptionerHome}) and loaded
     * from there only after its SHA-256 matches the one recorded for the artifact
     * ({@code opencv-natives.sha256}) and the folder passes {@link PrivateNatives}' rules; a
     * library that fails them is refused with one warning, and the JDK's reader decodes instead.
     */
    static final class Native {
        static final boolean LOADED = load();

        private Native() {
        }

        private static boolean load() {
            if (Boolean.getBoolean("captioner.opencv.off")) {
                return false;
            }
            try {
                String platform = platform();
                String file = System.mapLibraryName(Core.NATIVE_LIBRARY_NAME);
                String resource = "nu/pattern/opencv/" + platform + "/" + file;
                ClassLoader loader = DctScaledJpeg.class.getClassLoader();
                if (platform == null || loader.getResource(resource) == null) {
                    LOG.debug("no OpenCV native library for {} {}; JPEGs are decoded by the JDK's reader",
                            System.getProperty("os.name"), System.getProperty("os.arch"));
                    return false;
                }
                Path target = PrivateNatives.prepare(folder(platform), file, expectedSha256(platform),
                        () -> loader.getResourceAsStream(resource));
                System.load(target.toString());
                return true;
            } catch (PrivateNatives.Refused e) {
                LOG.warn("OpenCV's native library refused, JPEGs are decoded by the JDK's reader: {}", e.getMessage());
                return false;
            } catch (IOException | RuntimeException | LinkageError e) {
                LOG.debug("OpenCV not available; JPEGs are decoded by the JDK's reader", e);
                return false;
            }
        }

        /** @return where this version and platform's library is unpacked */
        static Path folder(String platform) {
            return CaptionerHome.dir().resolve("natives").resolve("opencv-" + Core.VERSION + "-" + platform.replace('/', '-'));
        }

        /** @return the SHA-256 recorded for the platform's library */
        static String expectedSha256(String platform) throws IOException {
            try (InputStream in = DctScaledJpeg.class.getResourceAsStream("opencv-natives.sha256")) {
                if (in == null) {
                    throw new IOException("opencv-natives.sha256 is missing");
                }
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    String[] parts = line.strip().split("\\s+");
                    if (parts.length == 2 && parts[0].equals(platform)) {
                        return parts[1];
                    }
                }
            }
            throw new IOException("no SHA-256 recorded for OpenCV's " + platform + " library");
        }

        /** @return openpnp's folder name for this platform, or null if it has none */
        static String platform() {
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
            String o = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "osx" : os.startsWith("windows") ? "windows" : null;
            String a = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64"
                    : arch.equals("aarch64") || arch.equals("arm64") ? "ARMv8" : null;
            return o == null || a == null ? null : o + "/" + a;
        }
    }
}
