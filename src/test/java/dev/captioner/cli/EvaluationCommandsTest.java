package dev.captioner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.testutil.Cli;
import dev.captioner.testutil.TinyPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluationCommandsTest {

    @TempDir
    static Path shared;

    static TinyPipeline p;

    @TempDir
    Path tmp;

    @BeforeAll
    static void pipeline() throws Exception {
        p = TinyPipeline.build(shared);
    }

    @Test
    void evaluateWritesMetricsAndPredictions() throws Exception {
        Path out = tmp.resolve("eval");
        Cli r = Cli.run("evaluate", "--model", p.model().toString(), "--data", p.data().toString(), "--features",
                p.features().toString(), "--beam", "3", "--out", out.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("BLEU-4").contains("CIDEr-D").contains("ROUGE-L").contains("beam 3");
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertThat(m.fieldNames()).toIterable().contains("bleu1", "bleu2", "bleu3", "bleu4", "cider", "rouge_l", "images",
                "beam", "split");
        assertThat(m.get("beam").asInt()).isEqualTo(3);
        assertThat(m.get("split").asText()).isEqualTo("test");
        List<String> lines = Files.readAllLines(out.resolve("predictions.jsonl"));
        assertThat(lines).hasSize(m.get("images").asInt());
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.fieldNames()).toIterable().contains("image", "caption", "references", "bleu4");
        assertThat(first.get("references")).hasSize(5);
        assertThat(first.get("caption").asText()).doesNotContain("startseq").doesNotContain("endseq");
        // Scoring the written predictions again gives the same numbers.
        Cli score = Cli.run("score", "--data", p.data().toString(), "--predictions",
                out.resolve("predictions.jsonl").toString(), "--json");
        assertThat(score.status()).as(score.err()).isZero();
        JsonNode again = new ObjectMapper().readTree(score.out());
        assertThat(again.get("bleu4").asDouble()).isEqualTo(m.get("bleu4").asDouble());
        assertThat(again.get("cider").asDouble()).isEqualTo(m.get("cider").asDouble());
    }

    @Test
    void scoreReadsCsvReportsMissingImagesAndNamesBadLines() throws Exception {
        Path csv = Files.writeString(tmp.resolve("p.csv"), "image,caption\nshapes_000001.jpg,\"a red circle, left\"\n");
        Cli r = Cli.run("score", "--data", p.data().toString(), "--predictions", csv.toString(), "--split", "train",
                "--json");
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode m = new ObjectMapper().readTree(r.out());
        assertThat(m.get("missing").asInt()).isEqualTo(m.get("images").asInt() - 1);
        assertThat(r.err()).contains("have no prediction");

        Path unknown = Files.writeString(tmp.resolve("u.jsonl"), "{\"image\": \"shapes_000001.jpg\", \"caption\": \"x\"}\n"
                + "{\"image\": \"nope.jpg\", \"caption\": \"y\"}\n");
        Cli bad = Cli.run("score", "--data", p.data().toString(), "--predictions", unknown.toString());
        assertThat(bad.status()).isEqualTo(1);
        assertThat(bad.err()).contains("u.jsonl:2: the dataset has no image 'nope.jpg'");

        Path broken = Files.writeString(tmp.resolve("b.jsonl"), "{\"image\": \"shapes_000001.jpg\", \"caption\": \"x\"}\n{oops\n");
        Cli parse = Cli.run("score", "--data", p.data().toString(), "--predictions", broken.toString());
        assertThat(parse.status()).isEqualTo(1);
        assertThat(parse.err()).contains("b.jsonl:2: not a JSON object");
    }

    @Test
    void captionCaptionsFilesAndFoldersAndReportsUnreadableOnes() throws Exception {
        Path images = p.data().resolve("Flicker8k_Dataset");
        Path junk = Files.writeString(tmp.resolve("junk.jpg"), "not an image");
        Cli r = Cli.run("caption", "--model", p.model().toString(), images.resolve("shapes_000001.jpg").toString(),
                junk.toString(), images.resolve("shapes_000002.jpg").toString());
        assertThat(r.status()).isEqualTo(1);
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith(images.resolve("shapes_000001.jpg") + "\t");
        assertThat(lines.get(0).split("\t")[1]).isNotBlank().doesNotContain("endseq");
        assertThat(r.err()).contains("junk.jpg: not an image").contains("1 of 3 images could not be captioned");

        Cli json = Cli.run("caption", "--model", p.model().toString(), "--json", "--beam", "2", images.toString());
        assertThat(json.status()).as(json.err()).isZero();
        List<String> all = json.out().lines().toList();
        assertThat(all).hasSize(48);
        JsonNode first = new ObjectMapper().readTree(all.get(0));
        assertThat(first.fieldNames()).toIterable().containsExactly("image", "caption", "score");
        assertThat(first.get("score").asDouble()).isLessThanOrEqualTo(0);

        Cli pictures = Cli.run("caption", "--model", p.model().toString(), "--attention", tmp.resolve("att").toString(),
                images.resolve("shapes_000001.jpg").toString());
        assertThat(pictures.status()).isEqualTo(1);
        assertThat(pictures.err().lines()).hasSize(1);
        assertThat(pictures.err()).contains("is a merge model").contains("yields no attention maps");
    }

    @Test
    void theModelIsSelfContainedAfterAMove() throws Exception {
        Path moved = tmp.resolve("moved-model");
        copy(p.model(), moved);
        Cli r = Cli.run("caption", "--model", moved.toString(),
                p.data().resolve("Flicker8k_Dataset/shapes_000003.jpg").toString());
        assertThat(r.status()).as(r.err()).isZero();
        Cli wrong = Cli.run("caption", "--model", moved.toString(), "--weights", tmp.resolve("none").toString(),
                p.data().resolve("Flicker8k_Dataset/shapes_000003.jpg").toString());
        assertThat(wrong.status()).isEqualTo(1);
        assertThat(wrong.err().lines()).hasSize(1);
    }

    static void copy(Path from, Path to) throws Exception {
        try (var s = Files.walk(from)) {
            for (Path f : s.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t);
                }
            }
        }
    }
}
