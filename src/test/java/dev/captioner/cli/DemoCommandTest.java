package dev.captioner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.features.FeatureStore;
import dev.captioner.model.Architecture;
import dev.captioner.model.CaptionModel;
import dev.captioner.pipeline.Demo;
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
        // Every stage's log reaches the command's error writer (so the re-run check below can fail).
        assertThat(r.err()).contains("demo: training the concepts encoder").contains("run: features")
                .contains("run: train").contains("train: epoch 2/2").contains("run: report");
        assertThat(r.out()).contains("BLEU-1").contains("greedy").contains("beam 3").contains("generated: ")
                .contains("reference: ").contains("report: " + out.resolve("report/index.html").toAbsolutePath());
        assertThat(r.out().lines().filter(l -> l.startsWith("  generated: "))).hasSize(5);

        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.walk(out)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".png") || name.endsWith(".jpg")) {
                    assertThat(ImageIO.read(f.toFile())).as(f.toString()).isNotNull();
                } else if (name.endsWith(".html")) {
                    assertThat(Files.readString(f)).contains("<table id=\"metrics\">").endsWith("</html>\n");
                }
                assertThat(name).as("no temporary file is left behind").doesNotEndWith(".tmp");
            }
        }
        // The files say what the command printed.
        JsonNode greedy = json.readTree(out.resolve("eval/greedy/metrics.json").toFile());
        assertThat(greedy.get("beam").asInt()).isEqualTo(1);
        assertThat(r.out()).containsPattern(String.format(java.util.Locale.ROOT, "greedy\\s+%.4f\\s+%.4f",
                greedy.get("bleu1").asDouble(), greedy.get("bleu2").asDouble()));
        List<String> predictions = Files.readAllLines(out.resolve("eval/beam3/predictions.jsonl"));
        assertThat(predictions).hasSize(json.readTree(out.resolve("stats.json").toFile()).get("splits").get("test").asInt());
        for (String line : predictions) {
            JsonNode p = json.readTree(line);
            assertThat(p.get("references").size()).isEqualTo(5);
            assertThat(p.get("caption").asText()).doesNotContain("startseq").doesNotContain("endseq");
        }
        // The default architecture (the transformer) reads grid features, and the report shows where it looked.
        assertThat(FeatureStore.read(out.resolve("grid_features.h5")).size()).isEqualTo(40);
        assertThat(out.resolve("features.h5")).doesNotExist();
        assertThat(Files.readString(out.resolve("report/index.html"))).contains("Where the model looked");
        assertThat(json.readTree(out.resolve("model/history.json").toFile())).hasSize(2);
        for (String must : List.of("data/Flickr8k_text/Flickr8k.token.txt", "encoder/concepts.json", "grid_features.h5",
                "stats.json", "explore/samples.png", "explore/pca_clusters.png", "model/config.json", "model/loss.png",
                "eval/greedy/metrics.json", "eval/beam3/predictions.jsonl", "eval/best_worst.png", "report/index.html",
                "report/img/loss.png")) {
            assertThat(out.resolve(must)).as(must).isRegularFile();
        }
        try (CaptionModel m = CaptionModel.load(out.resolve("model"))) {
            assertThat(m.config().encoder().name()).isEqualTo("concepts");
            assertThat(m.config().architecture()).isEqualTo(Demo.ARCHITECTURE).isEqualTo(Architecture.TRANSFORMER);
            assertThat(m.config().settings()).isEqualTo(Demo.TRANSFORMER);
        }
        // Running the demo again finds everything up to date.
        Cli again = Cli.run("demo", "--out", out.toString(), "--images", "40", "--epochs", "2", "--seed", "3");
        assertThat(again.status()).isZero();
        assertThat(again.err()).doesNotContain("run: train").doesNotContain("demo: training");
        assertThat(again.out().lines().filter(l -> !l.startsWith("finished in")))
                .containsExactlyElementsOf(r.out().lines().filter(l -> !l.startsWith("finished in")).toList());
    }
}
