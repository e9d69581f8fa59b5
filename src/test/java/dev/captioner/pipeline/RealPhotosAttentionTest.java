package dev.captioner.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.testutil.Cli;
import dev.captioner.testutil.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attention path on real photos, end to end: the shared 24-photo Flickr8k slice through the
 * real MobileNet-0.25 weights' 7 × 7 grids, a tiny attention model, its report, then the shared
 * photos captioned with attention pictures; the same run fine-tuned on CIDEr-D (self-critical)
 * and its model captioning the photos too. Skipped without {@code ../shared}.
 */
class RealPhotosAttentionTest {

    static final Path MINI = Fixtures.SHARED.resolve("data/flickr8k-mini");
    static final Path WEIGHTS = Fixtures.SHARED.resolve("weights/mobilenet_2_5_224_tf_no_top.h5");
    static final Path PHOTOS = Fixtures.SHARED.resolve("photos");

    @TempDir
    Path tmp;

    @Test
    void theSharedSliceAndPhotosGoThroughTheMobileNetGridPath() throws Exception {
        assumeThat(Files.isDirectory(MINI) && Files.isRegularFile(WEIGHTS) && Files.isDirectory(PHOTOS))
                .as("../shared with the Flickr8k slice, MobileNet weights and photos").isTrue();
        Path run = tmp.resolve("run");
        Cli r = Cli.run("run", "--data", MINI.toString(), "--encoder", "mobilenet", "--weights", WEIGHTS.toString(),
                "--architecture", "attention", "--epochs", "2", "--beam", "2", "--finetune-epochs", "1", "--out",
                run.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.err()).contains("run: features (mobilenet, grids)");
        JsonNode config = new ObjectMapper().readTree(run.resolve("model/config.json").toFile());
        assertThat(config.get("encoder").get("grid").get("height").asInt()).isEqualTo(7);
        assertThat(config.get("encoder").get("grid").get("depth").asInt()).isEqualTo(256);
        assertThat(Files.readString(run.resolve("report/index.html"))).contains("Where the model looked",
                "fine-tuned on CIDEr-D");
        assertThat(r.out()).contains("greedy, fine-tuned");
        // The weights lie outside the model and captioner's home: opened only on the user's word.
        Cli untrusted = Cli.run("caption", "--model", run.resolve(RunPipeline.FINETUNED).toString(), PHOTOS.toString());
        assertThat(untrusted.status()).isEqualTo(1);
        assertThat(untrusted.err()).contains("--trust-model-paths");
        Cli tuned = Cli.run("caption", "--model", run.resolve(RunPipeline.FINETUNED).toString(), "--weights",
                WEIGHTS.toString(), PHOTOS.toString());
        assertThat(tuned.status()).as(tuned.err()).isZero();
        assertThat(tuned.out().lines()).hasSize(8);

        Path pictures = tmp.resolve("pictures");
        Cli c = Cli.run("caption", "--model", run.resolve("model").toString(), "--trust-model-paths", "--json",
                "--attention", pictures.toString(), PHOTOS.toString());
        assertThat(c.status()).as(c.err()).isZero();
        List<String> lines = c.out().lines().toList();
        assertThat(lines).hasSize(8);
        for (String line : lines) {
            JsonNode j = new ObjectMapper().readTree(line);
            assertThat(j.get("attention")).hasSize(j.get("caption").asText().isEmpty() ? 0
                    : j.get("caption").asText().split(" ").length);
            if (j.get("attention").size() > 0) {
                assertThat(j.get("attention").get(0).get("weights")).hasSize(7);
            }
        }
        try (var files = Files.list(pictures)) {
            List<Path> pngs = files.sorted().toList();
            assertThat(pngs).hasSize(8);
            for (Path png : pngs) {
                assertThat(ImageIO.read(png.toFile()).getWidth()).as(png.toString()).isGreaterThan(224);
            }
        }
    }
}
