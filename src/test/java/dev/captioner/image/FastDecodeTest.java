package dev.captioner.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.captioner.util.CaptionerException;
import dev.captioner.testutil.Jpegs;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fast decode path: the decoder skips the pixels the encoder's resize would not read, keeps
 * exactly the full decode's pixel at the centre of each block (JDK readers) or the mean of each
 * block (libjpeg-turbo's DCT scaling, for sequential JPEGs), still covers the encoder's input,
 * and answers to the same limits as the exact path.
 */
class FastDecodeTest {

    private static byte[] encode(BufferedImage image, String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }

    private static BufferedImage photo(int w, int h, long seed) {
        return Jpegs.photo(w, h, seed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "bmp"})
    void keepsTheFullDecodesPixelAtTheCentreOfEachBlock(String format) throws Exception {
        byte[] file = encode(photo(203, 150, 7), format);
        ImageLoader loader = ImageLoader.withDefaults();
        RgbImage full = loader.decode(file, "photo." + format);
        RgbImage fast = loader.decode(file, "photo." + format, DecodeScale.covering(8, 8), x -> x);
        // Worked by hand: 150 rows for 8 the resize reads, kept four times finer: every 4th pixel
        // (150 / 8 / 4 = 4). Of each block of 4 pixels (0-3, 4-7, ...) the kept one is pixel 1, the
        // first of its two middle pixels: columns 1, 5, ..., 201 (51 of them) and rows 1, ..., 149 (38).
        assertThat(fast.width()).isEqualTo(51);
        assertThat(fast.height()).isEqualTo(38);
        for (int y = 0; y < 38; y++) {
            for (int x = 0; x < 51; x++) {
                for (int c = 0; c < 3; c++) {
                    assertThat(fast.sample(x, y, c)).as("(%d, %d) channel %d", x, y, c)
                            .isEqualTo(full.sample(1 + 4 * x, 1 + 4 * y, c));
                }
            }
        }
    }

    @Test
    void alwaysCoversTheEncodersInput() throws Exception {
        ImageLoader loader = ImageLoader.withDefaults();
        for (int[] size : new int[][] {{224, 224}, {225, 300}, {447, 223}, {1000, 700}, {40, 40}}) {
            byte[] file = encode(photo(size[0], size[1], 1), "png");
            RgbImage squashed = loader.decode(file, "p.png", DecodeScale.covering(224, 224), x -> x);
            RgbImage shorter = loader.decode(file, "p.png", DecodeScale.shorterSide(112), x -> x);
            assertThat(squashed.width()).isGreaterThanOrEqualTo(Math.min(224, size[0]));
            assertThat(squashed.height()).isGreaterThanOrEqualTo(Math.min(224, size[1]));
            assertThat(Math.min(shorter.width(), shorter.height())).isGreaterThanOrEqualTo(Math.min(112,
                    Math.min(size[0], size[1])));
        }
        // A grid a quarter as fine as the resize's spacing, not finer: 1000 x 700 for 40 x 40 is
        // decoded at 1/4 (700 / 40 = 17 rows per output row).
        RgbImage big = loader.decode(encode(photo(1000, 700, 1), "png"), "p.png", DecodeScale.covering(40, 40), x -> x);
        assertThat(big.height()).isEqualTo(175);
        assertThat(big.height()).isGreaterThanOrEqualTo(DecodeScale.PHASE * 40);
    }

    @Test
    void thePixelLimitCountsTheStoredImageAndTheBudgetTheDecodedOne() throws Exception {
        byte[] file = encode(photo(400, 300, 3), "png");
        assertThatThrownBy(() -> new ImageLoader(100_000).decode(file, "big.png", DecodeScale.covering(16, 16), x -> x))
                .isInstanceOf(ImageTooLargeException.class).hasMessageContaining("big.png");
        // A budget of 10,000 pixels is too small for the whole 120,000-pixel photo but holds its
        // 1/16 decode (100 × 75, at 1/4 of its width).
        MemoryBudget budget = new MemoryBudget(10_000L * MemoryBudget.BYTES_PER_PIXEL, Duration.ofMillis(10));
        ImageLoader loader = new ImageLoader(ImageLoader.DEFAULT_MAX_PIXELS, ImageLoader.DEFAULT_MAX_BYTES, budget);
        assertThatThrownBy(() -> loader.decode(file, "big.png")).isInstanceOf(ImageTooLargeException.class);
        AtomicLong inUse = new AtomicLong();
        RgbImage fast = loader.decode(file, "big.png", DecodeScale.covering(18, 18), x -> {
            inUse.set(budget.inUse());
            return x;
        });
        assertThat(fast.width() * (long) fast.height()).isEqualTo(100 * 75);
        assertThat(inUse.get()).isEqualTo(100 * 75L * MemoryBudget.BYTES_PER_PIXEL);
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void theDecodeTimeLimitStopsTheFastPathToo() throws Exception {
        // 2,000 × 2,000 of noise: a subsampled read still inflates the whole PNG, far over 1 ms.
        BufferedImage noise = new BufferedImage(2000, 2000, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(1);
        for (int y = 0; y < 2000; y++) {
            for (int x = 0; x < 2000; x++) {
                noise.setRGB(x, y, r.nextInt());
            }
        }
        byte[] file = encode(noise, "png");
        ImageLoader loader = new ImageLoader(ImageLoader.DEFAULT_MAX_PIXELS, ImageLoader.DEFAULT_MAX_BYTES, null,
                Duration.ofMillis(1));
        assertThatThrownBy(() -> loader.decode(file, "slow.png", DecodeScale.covering(64, 64), x -> x))
                .isInstanceOf(ImageTooLargeException.class)
                .hasMessageContaining("slow.png: took longer than the limit");
    }

    private static byte[] jpeg(BufferedImage image, boolean progressive) {
        return Jpegs.jpeg(image, progressive);
    }

    /** @return the mean of each {@code block} × {@code block} square of {@code full}, per channel */
    private static double[] blockMean(RgbImage full, int x, int y, int block) {
        double[] sum = new double[3];
        int n = 0;
        for (int j = y * block; j < Math.min(full.height(), (y + 1) * block); j++) {
            for (int i = x * block; i < Math.min(full.width(), (x + 1) * block); i++) {
                for (int c = 0; c < 3; c++) {
                    sum[c] += full.sample(i, j, c);
                }
                n++;
            }
        }
        for (int c = 0; c < 3; c++) {
            sum[c] /= n;
        }
        return sum;
    }

    @ParameterizedTest
    @ValueSource(ints = {8, 4, 2})
    void aSequentialJpegIsScaledByTheDecoderEachPixelTheMeanOfItsBlock(int reduction) throws Exception {
        assertThat(DctScaledJpeg.available()).as("OpenCV's native library loads on this platform").isTrue();
        byte[] file = jpeg(photo(640, 480, 5), false);
        ImageLoader loader = ImageLoader.withDefaults();
        RgbImage full = loader.decode(file, "photo.jpg");
        // 480 rows for an encoder reading 480 / (4 × reduction): a factor of exactly `reduction`.
        int rows = 480 / (DecodeScale.PHASE * reduction);
        MemoryBudget budget = new MemoryBudget(12L << 20, Duration.ofMillis(10));
        AtomicLong inUse = new AtomicLong();
        RgbImage fast = new ImageLoader(ImageLoader.DEFAULT_MAX_PIXELS, ImageLoader.DEFAULT_MAX_BYTES, budget)
                .decode(file, "photo.jpg", DecodeScale.covering(rows, rows), x -> {
                    inUse.set(budget.inUse());
                    return x;
                });
        assertThat(fast.width()).isEqualTo(640 / reduction);
        assertThat(fast.height()).isEqualTo(480 / reduction);
        assertThat(inUse.get()).isEqualTo(640 / reduction * (480 / reduction) * (long) MemoryBudget.BYTES_PER_PIXEL);
        double sum = 0;
        int far = 0;
        for (int y = 0; y < fast.height(); y++) {
            for (int x = 0; x < fast.width(); x++) {
                double[] mean = blockMean(full, x, y, reduction);
                for (int c = 0; c < 3; c++) {
                    double d = Math.abs(fast.sample(x, y, c) - mean[c]);
                    sum += d;
                    far += d > 8 ? 1 : 0;
                }
            }
        }
        double samples = fast.width() * fast.height() * 3.0;
        // Not the JDK reader's one-pixel sample, which differs from the block mean by the noise;
        // only at the sharp edges of the blue ramp (255 to 0) does the colour subsampling show.
        assertThat(sum / samples).as("mean difference from the block means").isLessThan(1.5);
        assertThat(far / samples).as("share of samples more than 8 levels from their block's mean").isLessThan(0.01);
    }

    @Test
    void progressiveAndTruncatedJpegsGoToTheJdkReader() throws Exception {
        BufferedImage image = photo(640, 480, 6);
        ImageLoader loader = ImageLoader.withDefaults();
        // Progressive: the JDK's subsampled read (centre pixels), not a 1/8 decode.
        byte[] progressive = jpeg(image, true);
        RgbImage full = loader.decode(progressive, "p.jpg");
        RgbImage fast = loader.decode(progressive, "p.jpg", DecodeScale.covering(15, 15), x -> x);
        int factor = 480 / 15 / DecodeScale.PHASE;
        int offset = (factor - 1) / 2;
        assertThat(fast.height()).isEqualTo((480 - offset + factor - 1) / factor);
        assertThat(fast.sample(3, 2, 0)).isEqualTo(full.sample(offset + 3 * factor, offset + 2 * factor, 0));
        // Cut short: refused as on the exact path, not decoded with grey where the data ended.
        byte[] whole = jpeg(image, false);
        byte[] cut = Arrays.copyOf(whole, whole.length * 2 / 3);
        assertThatThrownBy(() -> loader.decode(cut, "cut.jpg", DecodeScale.covering(15, 15), x -> x))
                .isInstanceOf(CaptionerException.class).hasMessageContaining("cut.jpg");
    }

    @Test
    void openCvsLibraryIsNotUnpackedIntoTemporaryFolders() throws Exception {
        assertThat(DctScaledJpeg.available()).isTrue();
        // What nu.pattern.OpenCV.loadLocally() would have left in the temporary folder (one per process).
        java.time.Instant started = ProcessHandle.current().info().startInstant().orElseThrow();
        try (var tmp = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(tmp.filter(p -> p.getFileName().toString().startsWith("opencv_openpnp"))
                    .filter(p -> modified(p).isAfter(started)).toList()).isEmpty();
        }
    }

    private static java.time.Instant modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return java.time.Instant.MIN;
        }
    }
}
