package dev.captioner.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.captioner.image.ImageLoader;
import dev.captioner.image.RgbImage;
import dev.captioner.testutil.Tolerance;
import dev.captioner.util.CaptionerException;
import dev.captioner.vision.EncoderCard;
import dev.captioner.vision.Encoders;
import dev.captioner.vision.FeatureKind;
import dev.captioner.vision.GridShape;
import dev.captioner.vision.ImageEncoder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code --encoder hf:DIR} gives a pretrained folder's ViT as a feature encoder: the CLS token
 * pooled, the 14 × 14 patch tokens as the grid, exactly the states its captioner decodes from.
 */
class PretrainedEncoderTest {

    static final Path FIXTURE = PretrainedCaptionerTest.FIXTURE;

    @Test
    void pooledIsTheClsTokenAndTheGridThePatchTokens() {
        RgbImage image = ImageLoader.withDefaults().load(Path.of("src/test/resources/fixtures/images/rgb_301x199.png"));
        float[] states;
        try (PretrainedCaptioner c = PretrainedCaptioner.open(FIXTURE, null)) {
            states = c.encode(List.of(c.prepare(image)))[0];
        }
        int d = 8;
        assertThat(states).hasSize(197 * d);
        try (ImageEncoder pooled = Encoders.open("hf:" + FIXTURE, null);
                ImageEncoder grid = Encoders.open("hf:" + FIXTURE, null, null, FeatureKind.GRID, null)) {
            assertThat(grid.grid()).isEqualTo(new GridShape(14, 14, d));
            // The same graph on the same input: the same kernels, so only the order of a
            // summation could differ; 1e-5 of the largest state allows for that.
            Tolerance.assertClose(pooled.encode(image), Arrays.copyOfRange(states, 0, d), 1e-5, "CLS");
            Tolerance.assertClose(grid.encode(image), Arrays.copyOfRange(states, d, states.length), 1e-5, "grid");
        }
    }

    @Test
    void aFolderWithoutPatchesOrAFileIsRefusedInOneLine() {
        assertThatThrownBy(() -> Encoders.open("hf:" + FIXTURE.resolve("config.json"), null))
                .isInstanceOf(CaptionerException.class).hasMessageContaining("is not a folder");
        assertThatThrownBy(() -> EncoderCard.parse("{\"name\":\"x\",\"input\":{\"height\":2,\"width\":2},"
                + "\"resize\":\"squash\",\"interpolation\":\"nearest\",\"scale\":1,\"mean\":[0,0,0],\"std\":[1,1,1],"
                + "\"outputs\":{\"pooled\":\"y\",\"pooling\":\"max\"}}", "card.json"))
                .hasMessageContaining("card.json").hasMessageContaining("outputs.pooling");
    }
}
