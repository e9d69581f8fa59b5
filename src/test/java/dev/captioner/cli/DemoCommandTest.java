package dev.captioner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.features.FeatureStore;
import dev.captioner.model.CaptionModel;
import dev.captioner.testutil.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job end to end at a tiny size: every output exists and parses. */
class DemoCommandTest {

    @TempDir
    Path tmp;

    @Test
    void demoRunsEndToEndAndEveryOutputParses() throws Exception {
        Path out = tmp.resolve("demo");
        Cli r = Cli.run("demo", "--out", out.toString(), "--images", "40", "--epochs", "2", "--seed", "3");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("BLEU-1").contains("greedy").contains("beam 3").contains("generated: ")
                .contains("reference: ").contains("report: " + out.resolve("report/index.html").toAbsolutePath());
        assertThat(r.out().lines().filter(l -> l.startsWith("  generated: "))).hasSize(5);

        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.walk(out)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".json")) {
                    assertThat(json.readTree(f.toFile())).as(f.toString()).isNotNull();
                } else if (name.endsWith(".jsonl")) {
                    for (String line : Files.readAllLines(f)) {
                        assertThat(json.readTree(line)).as(f.toString()).isNotNull();
                    }
                } else if (name.endsWith(".png") || name.endsWith(".jpg")) {
                    assertThat(ImageIO.read(f.toFile())).as(f.toString()).isNotNull();
                } else if (name.endsWith(".h5")) {
                    assertThat(FeatureStore.read(f).size()).isEqualTo(40);
                } else if (name.endsWith(".html")) {
                    assertThat(Files.readString(f)).contains("<table id=\"metrics\">").endsWith("</html>\n");
                }
            }
        }
        for (String must : List.of("data/Flickr8k_text/Flickr8k.token.txt", "encoder/concepts.json", "features.h5",
                "stats.json", "explore/samples.png", "explore/pca_clusters.png", "model/config.json", "model/loss.png",
                "eval/greedy/metrics.json", "eval/beam3/predictions.jsonl", "eval/best_worst.png", "report/index.html",
                "report/img/loss.png")) {
            assertThat(out.resolve(must)).as(must).isRegularFile();
        }
        try (CaptionModel m = CaptionModel.load(out.resolve("model"))) {
            assertThat(m.config().encoder().name()).isEqualTo("concepts");
        }
        // Running the demo again finds everything up to date.
        Cli again = Cli.run("demo", "--out", out.toString(), "--images", "40", "--epochs", "2", "--seed", "3");
        assertThat(again.status()).isZero();
        assertThat(again.err()).doesNotContain("run: train").doesNotContain("demo: training");
    }
}
