package dev.captioner.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fast decode path: the decoder skips the pixels the encoder's resize would not read, keeps
 * exactly the full decode's pixel at the centre of each block, still covers the encoder's input,
 * and answers to the same limits as the exact path.
 */
class FastDecodeTest {

    private static byte[] encode(BufferedImage image, String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, format, out);
        return out.toByteArray();
    }

    private static BufferedImage photo(int w, int h, long seed) {
        BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int base = (x * 255 / w) << 16 | (y * 255 / h) << 8 | ((x + y) & 0xFF);
                b.setRGB(x, y, base ^ r.nextInt(16));
            }
        }
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "jpg", "bmp"})
    void keepsTheFullDecodesPixelAtTheCentreOfEachBlock(String format) throws Exception {
        byte[] file = encode(photo(203, 150, 7), format);
        ImageLoader loader = ImageLoader.withDefaults();
        RgbImage full = loader.decode(file, "photo." + format);
        RgbImage fast = loader.decode(file, "photo." + format, DecodeScale.covering(8, 8), x -> x);
        int factor = 150 / 8 / DecodeScale.PHASE; // 4: at least four times the 8 rows the resize reads
        int offset = (factor - 1) / 2;
        assertThat(fast.width()).isEqualTo((203 - offset + factor - 1) / factor);
        assertThat(fast.height()).isEqualTo((150 - offset + factor - 1) / factor);
        for (int y = 0; y < fast.height(); y++) {
            for (int x = 0; x < fast.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    assertThat(fast.sample(x, y, c)).as("(%d, %d) channel %d", x, y, c)
                            .isEqualTo(full.sample(offset + x * factor, offset + y * factor, c));
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
        PixelBudget budget = new PixelBudget(10_000, Duration.ofMillis(10));
        ImageLoader loader = new ImageLoader(ImageLoader.DEFAULT_MAX_PIXELS, ImageLoader.DEFAULT_MAX_BYTES, budget);
        assertThatThrownBy(() -> loader.decode(file, "big.png")).isInstanceOf(ImageTooLargeException.class);
        AtomicLong inUse = new AtomicLong();
        RgbImage fast = loader.decode(file, "big.png", DecodeScale.covering(18, 18), x -> {
            inUse.set(budget.inUse());
            return x;
        });
        assertThat(fast.width() * (long) fast.height()).isEqualTo(100 * 75);
        assertThat(inUse.get()).isEqualTo(100 * 75);
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
}
