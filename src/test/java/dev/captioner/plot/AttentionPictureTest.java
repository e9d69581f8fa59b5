package dev.captioner.plot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.captioner.decode.Caption;
import dev.captioner.vision.GridShape;
import dev.captioner.testutil.Tolerance;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttentionPictureTest {

    @TempDir
    Path tmp;

    private static final GridShape GRID = new GridShape(2, 2, 8);

    @Test
    void upsamplingPutsEachWeightAtItsCellCentreAndIsSmoothBetween() {
        float[] alpha = {0.1f, 0.2f, 0.3f, 0.4f};
        float[][] up = AttentionPicture.upsample(alpha, 2, 2, 40, 40);
        // Scaled from the smallest weight (0) to the largest (1), as matplotlib's imshow does.
        // Cell centres of a 2x2 grid on 40 px are at pixel 9.5 and 29.5: pixels 9/10 and 29/30 straddle them.
        // Expected 0 on a [0, 1] scale: the pixels straddle the centre by half a pixel of a
        // 20-pixel cell step, so their mean is within about 1/40 of it.
        assertThat((up[9][9] + up[10][10]) / 2).isCloseTo(0f, org.assertj.core.data.Offset.offset(0.02f));
        assertThat(up[39][39]).isEqualTo(1f);
        // A handful of float operations (interpolation, then scaling to [0, 1]).
        assertThat(up[0][39]).isCloseTo(1f / 3, Tolerance.relative(1f / 3, Tolerance.floatSums(8)));
        assertThat(up[39][0]).isCloseTo(2f / 3, Tolerance.relative(2f / 3, Tolerance.floatSums(8)));
        for (int y = 0; y < 40; y++) {
            for (int x = 1; x < 40; x++) {
                // No blocky jump: neighbours differ by at most one cell's step spread over half a cell.
                assertThat(Math.abs(up[y][x] - up[y][x - 1])).isLessThan(0.06f);
            }
        }
    }

    @Test
    void eachWordsPanelIsHotWhereItsWeightIs() throws Exception {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                image.setRGB(x, y, 0x404040);
            }
        }
        Caption c = new Caption(List.of("left", "right"), -1, -1, true,
                List.of(new float[] {0.97f, 0.01f, 0.01f, 0.01f}, new float[] {0.01f, 0.01f, 0.01f, 0.97f}));
        Path file = tmp.resolve("a.png");
        AttentionPicture.write(image, c, GRID, file);
        BufferedImage picture = ImageIO.read(file.toFile());
        assertThat(Files.size(file)).isPositive();
        // Three panels side by side: the image and one per word, each scaled up to 160 px.
        assertThat(picture.getWidth()).isEqualTo(3 * 160 + 4 * 10);

        BufferedImage left = AttentionPicture.overlay(image, c.attention().get(0), GRID);
        BufferedImage right = AttentionPicture.overlay(image, c.attention().get(1), GRID);
        assertThat(brightness(left.getRGB(5, 5))).isGreaterThan(brightness(left.getRGB(58, 42)) + 100);
        assertThat(brightness(right.getRGB(58, 42))).isGreaterThan(brightness(right.getRGB(5, 5)) + 100);
    }

    @Test
    void aCaptionWithoutWeightsIsRefused() {
        Caption merge = new Caption(List.of("a"), -1, -1, true);
        assertThatThrownBy(() -> AttentionPicture.draw(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), merge, GRID))
                .hasMessageContaining("not an attention model");
        Caption wrong = new Caption(List.of("a"), -1, -1, true, List.of(new float[9]));
        assertThatThrownBy(() -> AttentionPicture.draw(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), wrong, GRID))
                .hasMessageContaining("9 weights for a 2x2 grid");
    }

    private static int brightness(int rgb) {
        return ((rgb >> 16) & 0xFF) + ((rgb >> 8) & 0xFF) + (rgb & 0xFF);
    }
}
