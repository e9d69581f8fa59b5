package dev.captioner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.testutil.Cli;
import dev.captioner.testutil.TinyPipeline;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code captioner finetune} end to end on the tiny pipeline, and its refusals. */
class FinetuneCommandTest {

    @TempDir
    Path tmp;

    @Test
    void finetuneWritesAModelThatEvaluateLoadsAndReportsHabitsOf() throws Exception {
        TinyPipeline p = TinyPipeline.build(tmp);
        Path out = tmp.resolve("tuned");
        Cli r = Cli.run("finetune", "--model", p.model().toString(), "--data", p.data().toString(), "--features",
                p.features().toString(), "--out", out.toString(), "--epochs", "2", "--samples", "3", "--lr", "1e-3",
                "--batch-size", "8");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote model to " + out).contains("dev CIDEr-D");
        JsonNode history = new ObjectMapper().readTree(out.resolve("finetune.json").toFile());
        assertThat(history.at("/settings/samples").asInt()).isEqualTo(3);
        assertThat(history.at("/settings/reward").asText()).isEqualTo("cider-d");
        assertThat(history.get("epochs")).hasSize(3);
        Cli e = Cli.run("evaluate", "--model", out.toString(), "--data", p.data().toString(), "--features",
                p.features().toString(), "--out", tmp.resolve("eval").toString(), "--block-trigrams");
        assertThat(e.status()).as(e.err()).isZero();
        assertThat(e.out()).contains("bad endings", "repeated trigrams 0.0 %", "distinct captions");
        JsonNode metrics = new ObjectMapper().readTree(tmp.resolve("eval/metrics.json").toFile());
        assertThat(metrics.at("/habits/repeated_trigrams").asDouble()).isZero();

        Cli again = Cli.run("finetune", "--model", p.model().toString(), "--data", p.data().toString(), "--features",
                p.features().toString(), "--out", out.toString());
        assertThat(again.status()).isEqualTo(1);
        assertThat(again.err().lines()).hasSize(1);
        assertThat(again.err()).contains("already holds a model");
    }

    @Test
    void wrongSettingsAreACommandLineErrorAndAMissingModelIsOneLine() {
        Path none = tmp.resolve("none");
        Cli samples = Cli.run("finetune", "--model", none.toString(), "--data", none.toString(), "--features",
                none.toString(), "--out", tmp.resolve("o").toString(), "--samples", "1");
        assertThat(samples.status()).isEqualTo(2);
        assertThat(samples.err()).contains("at least 2 samples");
        Cli reward = Cli.run("finetune", "--model", none.toString(), "--data", none.toString(), "--features",
                none.toString(), "--out", tmp.resolve("o").toString(), "--reward", "meteor");
        assertThat(reward.status()).isEqualTo(2);
        assertThat(reward.err()).contains("meteor");
        Cli missing = Cli.run("finetune", "--model", none.toString(), "--data", none.toString(), "--features",
                none.toString(), "--out", tmp.resolve("o").toString());
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err().lines()).hasSize(1);
    }

    /**
     * A transformer has a position for each token of its longest training caption: asking for
     * longer samples is refused in one line naming both numbers, and the default (20 words) is
     * capped where its positions end, so fine-tuning runs. It used to throw mid-run the first time
     * a sample ran long.
     */
    @Test
    void aTransformerRefusesSamplesLongerThanItsPositionsAndRunsAtTheDefault() throws Exception {
        TinyPipeline p = TinyPipeline.build(tmp, dev.captioner.model.Architecture.TRANSFORMER);
        int positions = new ObjectMapper().readTree(p.model().resolve("config.json").toFile()).get("max_length").asInt();
        assertThat(positions).as("the tiny data's longest caption, markers included").isLessThan(41);
        Cli tooLong = Cli.run("finetune", "--model", p.model().toString(), "--data", p.data().toString(), "--features",
                p.features().toString(), "--out", tmp.resolve("long").toString(), "--max-length", "40");
        assertThat(tooLong.status()).isEqualTo(1);
        assertThat(tooLong.err().lines()).hasSize(1);
        assertThat(tooLong.err()).contains("--max-length 40").contains("positions for " + positions + " tokens")
                .contains("at most " + (positions - 1) + " words");
        assertThat(tmp.resolve("long")).doesNotExist();
        Path out = tmp.resolve("tuned");
        Cli r = Cli.run("finetune", "--model", p.model().toString(), "--data", p.data().toString(), "--features",
                p.features().toString(), "--out", out.toString(), "--epochs", "2", "--samples", "3", "--lr", "1e-3",
                "--batch-size", "8");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(new ObjectMapper().readTree(out.resolve("finetune.json").toFile()).get("epochs")).hasSize(3);
    }
}
