package dev.captioner.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.captioner.testutil.Jpegs;
import dev.captioner.util.CaptionerException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.imgcodecs.Imgcodecs;

/**
 * The gate in front of the native decoder: only clean sequential JPEGs pass, whatever the
 * markers say; hostile files are refused or go to the JDK's reader, and a corrupt file gets the
 * same answer on both paths.
 */
class JpegGateTest {

    private static final Path SHARED = Path.of("..", "shared", "photos");

    /** Covers a 24-pixel encoder's input: a 512 x 384 photo is decoded at 1/4 on the fast path. */
    private static final DecodeScale FAST = DecodeScale.covering(24, 24);

    @Test
    void aCleanBaselineJpegPassesAndItsStructureIsRead() {
        byte[] b = Jpegs.jpeg(Jpegs.photo(512, 384, 1), false);
        JpegStructure s = JpegStructure.read(b, Long.MAX_VALUE);
        assertThat(s.whyNotScalable()).isNull();
        assertThat(s.scalable()).isTrue();
        assertThat(s.scans()).isEqualTo(1);
        assertThat(s.workingBytes()).as("one scan: decoded a row of blocks at a time").isZero();
    }

    @Test
    void progressiveFilesGoToTheReaderAndCountTheirCoefficientBuffer() {
        byte[] p = Jpegs.jpeg(Jpegs.photo(512, 384, 2), true);
        JpegStructure s = JpegStructure.read(p, Long.MAX_VALUE);
        assertThat(s.scalable()).isFalse();
        assertThat(s.whyNotScalable()).contains("progressive");
        assertThat(s.scans()).isBetween(2, 20);
        // 4:2:0: luma 64 x 48 blocks, each chroma 32 x 24, 64 coefficients of 2 bytes.
        assertThat(s.workingBytes()).isEqualTo((64L * 48 + 2L * 32 * 24) * 64 * 2);
    }

    @Test
    void theRestartMarkerTrickIsRefusedFromItsStructureWithinTheTimeLimit() {
        byte[] trick = Jpegs.restartTrick(Jpegs.photo(64, 64, 3), 10_000);
        JpegStructure s = JpegStructure.read(trick, Long.MAX_VALUE);
        assertThat(s.scalable()).isFalse();
        assertThat(s.whyNotScalable()).contains("out of place");
        ImageLoader loader = new ImageLoader(40_000_000, 10 << 20, null, java.time.Duration.ofSeconds(2));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> loader.decode(trick, "trick.jpg", FAST, x -> x)).isInstanceOf(ImageTooLargeException.class)
                .hasMessageContaining("trick.jpg").hasMessageContaining("scans");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(3.0);
    }

    @Test
    void tenThousandScansAreRefusedOnBothPaths() {
        byte[] many = Jpegs.manyScans(Jpegs.photo(64, 64, 4), 10_000);
        assertThat(JpegStructure.read(many, Long.MAX_VALUE).scans()).isEqualTo(10_000);
        ImageLoader loader = ImageLoader.withDefaults();
        for (DecodeScale scale : List.of(DecodeScale.FULL, FAST)) {
            assertThatThrownBy(() -> loader.decode(many, "many.jpg", scale, x -> x))
                    .isInstanceOf(ImageTooLargeException.class).hasMessageContaining("10000 scans");
        }
        byte[] fine = Jpegs.manyScans(Jpegs.photo(64, 64, 4), JpegStructure.MAX_SCANS);
        assertThat(loader.decode(fine, "fine.jpg").width()).isEqualTo(64);
    }

    @Test
    void codedDataCutShortIsRefusedOnBothPathsAlike() {
        byte[] cut = Jpegs.cutCodedData(Jpegs.photo(512, 384, 5), 0.6);
        JpegStructure s = JpegStructure.read(cut, Long.MAX_VALUE);
        assertThat(s.scalable()).as("ends with EOI, but its data stops early").isFalse();
        assertThat(s.whyNotScalable()).contains("ends early");
        ImageLoader loader = ImageLoader.withDefaults();
        String exact = refusal(loader, cut, DecodeScale.FULL);
        String fast = refusal(loader, cut, FAST);
        assertThat(exact).contains("corrupt");
        assertThat(fast).isEqualTo(exact);
    }

    private static String refusal(ImageLoader loader, byte[] file, DecodeScale scale) {
        try {
            loader.decode(file, "cut.jpg", scale, x -> x);
            return "decoded";
        } catch (CaptionerException e) {
            return e.getMessage();
        }
    }

    /**
     * Flipped bits in the coded data: whatever libjpeg makes of them, the fast path answers as
     * the exact path does (both decode, or both refuse), since the gate sends anything it cannot
     * prove clean to the exact path's reader.
     */
    @Test
    void corruptCodedDataGetsTheSameAnswerOnBothPaths() {
        byte[] base = Jpegs.jpeg(Jpegs.photo(512, 384, 6), false);
        int data = base.length / 4;
        Random random = new Random(7);
        ImageLoader loader = ImageLoader.withDefaults();
        int refused = 0;
        for (int i = 0; i < 24; i++) {
            byte[] m = base.clone();
            for (int f = 0; f < 1 + random.nextInt(4); f++) {
                int at = data + random.nextInt(base.length - data - 2);
                m[at] ^= (byte) (1 << random.nextInt(8));
            }
            boolean exact = !refusal(loader, m, DecodeScale.FULL).equals("decoded");
            boolean fast = !refusal(loader, m, FAST).equals("decoded");
            assertThat(fast).as("mutant %d: refused on the fast path as on the exact one", i).isEqualTo(exact);
            refused += exact ? 1 : 0;
        }
        assertThat(refused).as("corruption the JDK's libjpeg warns about").isGreaterThan(0);
    }

    static boolean openCv() {
        return DctScaledJpeg.available();
    }

    /** Another encoder's files, restart intervals included, pass the gate and decode natively. */
    @Test
    @EnabledIf("openCv")
    void restartIntervalsAndOpenCvsOwnEncoderPassTheEntropyCheck() {
        BufferedImage photo = Jpegs.photo(512, 384, 8);
        byte[] rgb = new byte[512 * 384 * 3];
        for (int y = 0; y < 384; y++) {
            for (int x = 0; x < 512; x++) {
                int p = photo.getRGB(x, y);
                int i = (y * 512 + x) * 3;
                rgb[i] = (byte) p;
                rgb[i + 1] = (byte) (p >> 8);
                rgb[i + 2] = (byte) (p >> 16);
            }
        }
        org.opencv.core.Mat mat = new org.opencv.core.Mat(384, 512, org.opencv.core.CvType.CV_8UC3);
        mat.put(0, 0, rgb);
        for (int interval : new int[] {0, 1, 7, 64}) {
            MatOfByte out = new MatOfByte();
            Imgcodecs.imencode(".jpg", mat, out, new MatOfInt(Imgcodecs.IMWRITE_JPEG_RST_INTERVAL, interval,
                    Imgcodecs.IMWRITE_JPEG_QUALITY, 85));
            byte[] file = out.toArray();
            JpegStructure s = JpegStructure.read(file, Long.MAX_VALUE);
            assertThat(s.whyNotScalable()).as("restart interval %d", interval).isNull();
            RgbImage fast = ImageLoader.withDefaults().decode(file, "rst.jpg", FAST, x -> x);
            assertThat(fast.width()).as("decoded at 1/4 by libjpeg").isEqualTo(128);
            // A restart marker out of its order is refused.
            if (interval == 7) {
                int at = indexOf(file, (byte) 0xFF, (byte) 0xD1);
                file[at + 1] = (byte) 0xD3;
                assertThat(JpegStructure.read(file, Long.MAX_VALUE).whyNotScalable()).contains("restart marker");
            }
        }
    }

    private static int indexOf(byte[] b, byte first, byte second) {
        for (int i = 0; i + 1 < b.length; i++) {
            if (b[i] == first && b[i + 1] == second) {
                return i;
            }
        }
        throw new AssertionError("no marker");
    }

    /** Real cameras' files: every shared photo's structure is read, the baseline ones pass. */
    @Test
    void realPhotosPassWhenTheyAreCleanBaselineFiles() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(SHARED), "../shared/photos is absent");
        List<String> passed = new ArrayList<>();
        try (Stream<Path> files = Files.list(SHARED)) {
            for (Path f : files.filter(p -> p.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".jpg")).toList()) {
                byte[] b = Files.readAllBytes(f);
                JpegStructure s = JpegStructure.read(b, Long.MAX_VALUE);
                if (s.scalable()) {
                    passed.add(f.getFileName().toString());
                } else {
                    assertThat(s.whyNotScalable()).as(f.toString()).containsAnyOf("progressive", "extraneous", "segment");
                }
            }
        }
        assertThat(passed).as("clean baseline photos").isNotEmpty();
    }
}
