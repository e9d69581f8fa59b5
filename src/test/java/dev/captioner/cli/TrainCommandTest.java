package dev.captioner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.data.Dataset;
import dev.captioner.data.DatasetLoader;
import dev.captioner.data.ImageRecord;
import dev.captioner.data.LoadSpec;
import dev.captioner.features.FeatureSet;
import dev.captioner.features.FeatureStore;
import dev.captioner.testutil.Cli;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {

    @TempDir
    Path tmp;

    static Path features(Path data, Path out, int dropFirst) throws Exception {
        List<String> ids = new ArrayList<>();
        List<float[]> rows = new ArrayList<>();
        Random r = new Random(1);
        try (Dataset d = DatasetLoader.load(data, LoadSpec.defaults())) {
            for (ImageRecord img : d.images().subList(dropFirst, d.images().size())) {
                ids.add(img.name());
                float[] f = new float[6];
                for (int j = 0; j < 6; j++) {
                    f[j] = (float) r.nextGaussian();
                }
                rows.add(f);
            }
        }
        FeatureStore.write(out, new FeatureSet(ids, rows.toArray(float[][]::new), "concepts", 6, "abc", 32));
        return out;
    }

    @Test
    void trainsAModelDirectoryFromTheCommandLine() throws Exception {
        Path data = tmp.resolve("shapes");
        Cli.run("dataset", "synth", "--out", data.toString(), "--images", "24", "--size", "32");
        Path feats = features(data, tmp.resolve("f.h5"), 0);
        Path model = tmp.resolve("model");
        Cli r = Cli.run("train", "--data", data.toString(), "--features", feats.toString(), "--out", model.toString(),
                "--epochs", "2", "--embed", "8", "--units", "8", "--batch-size", "16", "--architecture", "init-inject",
                "--min-count", "2");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote model to").contains("best epoch");
        JsonNode config = new ObjectMapper().readTree(model.resolve("config.json").toFile());
        assertThat(config.get("architecture").asText()).isEqualTo("init-inject");
        assertThat(config.get("cleaning").asText()).isEqualTo("keras-tutorial");
        assertThat(config.get("min_count").asInt()).isEqualTo(2);
        assertThat(config.get("encoder").get("name").asText()).isEqualTo("concepts");
        assertThat(config.get("encoder").get("weights_sha256").asText()).isEqualTo("abc");
        assertThat(config.get("encoder").get("image_size").asInt()).isEqualTo(32);
        assertThat(ImageIO.read(model.resolve("loss.png").toFile())).as("the command draws the loss chart").isNotNull();
        assertThat(r.err()).as("epoch lines reach the command's error writer").contains("train: epoch 2/2");
        assertThat(new ObjectMapper().readTree(model.resolve("vocab.json").toFile()).get("words").get(0).asText())
                .isEqualTo("<unk>");
        Cli again = Cli.run("train", "--data", data.toString(), "--features", feats.toString(), "--out", model.toString());
        assertThat(again.status()).isEqualTo(1);
        assertThat(again.err()).contains("already holds a trained model");
    }

    @Test
    void missingFeaturesAndBadSettingsAreOneLineErrors() throws Exception {
        Path data = tmp.resolve("shapes");
        Cli.run("dataset", "synth", "--out", data.toString(), "--images", "24", "--size", "32");
        Path feats = features(data, tmp.resolve("f.h5"), 12);
        Cli r = Cli.run("train", "--data", data.toString(), "--features", feats.toString(), "--out",
                tmp.resolve("m").toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err().lines()).hasSize(1);
        assertThat(r.err()).contains("the feature file has no features for");
        Cli bad = Cli.run("train", "--data", data.toString(), "--features", feats.toString(), "--out",
                tmp.resolve("m").toString(), "--dropout", "1.5");
        assertThat(bad.status()).as("a refused option value is a wrong command line").isEqualTo(2);
        assertThat(bad.err()).startsWith("error: dropout must be in [0, 1)").contains("--help");
        Cli wrong = Cli.run("train", "--data", data.toString(), "--features", feats.toString(), "--out",
                tmp.resolve("m").toString(), "--architecture", "rnn");
        assertThat(wrong.status()).isEqualTo(2);
        assertThat(wrong.err()).contains("rnn");
    }
}
