package dev.captioner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.model.Architecture;
import dev.captioner.model.CaptionModel;
import dev.captioner.testutil.Cli;
import dev.captioner.testutil.TinyPipeline;
import dev.captioner.vision.GridShape;
import dev.captioner.testutil.Tolerance;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code caption} with a tiny attention model: the pictures and the JSON weights (a subclass runs it on the transformer). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AttentionCommandsTest {

    /** @return the architecture under test: one whose captions carry attention maps */
    Architecture architecture() {
        return Architecture.ATTENTION;
    }

    TinyPipeline p;
    GridShape grid;

    @TempDir
    Path tmp;

    @BeforeAll
    void pipeline(@TempDir Path shared) throws Exception {
        p = TinyPipeline.build(shared, architecture());
        try (CaptionModel m = CaptionModel.load(p.model())) {
            grid = m.config().grid();
        }
    }

    @Test
    void captionWritesOneAttentionPicturePerImage() throws Exception {
        Path images = p.data().resolve("Flicker8k_Dataset");
        Path junk = Files.writeString(tmp.resolve("junk.png"), "not an image");
        Path out = tmp.resolve("attention");
        Cli r = Cli.run("caption", "--model", p.model().toString(), "--attention", out.toString(),
                images.resolve("shapes_000001.jpg").toString(), images.resolve("shapes_000002.jpg").toString(),
                junk.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("junk.png").contains("1 of 3 images could not be captioned");
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        try (var files = Files.list(out)) {
            assertThat(files.map(f -> f.getFileName().toString()).sorted().toList())
                    .containsExactly("shapes_000001.png", "shapes_000002.png");
        }
        BufferedImage picture = ImageIO.read(out.resolve("shapes_000001.png").toFile());
        int words = lines.get(0).split("\t")[1].split(" ").length;
        // The image and one panel per word, at most five to a row: at least as wide as min(words + 1, 5) images.
        assertThat(picture.getWidth()).isGreaterThanOrEqualTo(Math.min(words + 1, 5) * 32);
        assertThat(picture.getHeight()).isGreaterThan(32);
    }

    @Test
    void jsonLinesCarryEachWordsWeights() throws Exception {
        Cli r = Cli.run("caption", "--model", p.model().toString(), "--json", "--beam", "2",
                p.data().resolve("Flicker8k_Dataset/shapes_000003.jpg").toString());
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode line = new ObjectMapper().readTree(r.out().lines().findFirst().orElseThrow());
        String[] words = line.get("caption").asText().split(" ");
        JsonNode attention = line.get("attention");
        assertThat(attention).hasSize(words.length);
        for (int i = 0; i < words.length; i++) {
            JsonNode a = attention.get(i);
            assertThat(a.get("word").asText()).isEqualTo(words[i]);
            assertThat(a.get("height").asInt()).isEqualTo(grid.height());
            assertThat(a.get("width").asInt()).isEqualTo(grid.width());
            assertThat(a.get("weights")).hasSize(grid.height());
            double sum = 0;
            for (JsonNode row : a.get("weights")) {
                assertThat(row).hasSize(grid.width());
                for (JsonNode v : row) {
                    sum += v.asDouble();
                }
            }
            // float32 softmax weights, each rounded with its normalising sum over the grid.
            assertThat(sum).isCloseTo(1.0, Tolerance.relative(1.0, Tolerance.floatSums(grid.locations() + 1)));
        }
    }
}
