package dev.captioner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.captioner.data.SynthSpec;
import dev.captioner.data.SyntheticShapes;
import dev.captioner.features.FeatureSet;
import dev.captioner.features.FeatureStore;
import dev.captioner.testutil.Cli;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An exported encoder through the command line, as a user brings one: features with
 * {@code --encoder onnx:FILE} (pooled and grid), a model trained on them that records the card
 * and the file's SHA-256, captions with it, and a different file refused naming both hashes.
 */
class ExportedEncoderCommandsTest {

    @TempDir
    static Path dir;

    static Path data;

    @BeforeAll
    static void fixtures() throws Exception {
        for (String f : List.of("cnn.onnx", "cnn.onnx.json", "cnn_other.onnx", "vit.pt", "vit.pt.json")) {
            try (InputStream in = ExportedEncoderCommandsTest.class.getResourceAsStream("/fixtures/exported/" + f)) {
                Files.copy(in, dir.resolve(f));
            }
        }
        data = dir.resolve("shapes");
        SyntheticShapes.generate(new SynthSpec(40, 48, 3), data);
    }

    @Test
    void featuresTrainingAndCaptionsWithAnOnnxEncoder() throws Exception {
        Path onnx = dir.resolve("cnn.onnx");
        Path features = dir.resolve("onnx.h5");
        Cli f = Cli.run("features", "--data", data.toString(), "--encoder", "onnx:" + onnx, "--out", features.toString());
        assertThat(f.status()).as(f.err()).isZero();
        FeatureSet set = FeatureStore.read(features);
        assertThat(set.featureDim()).isEqualTo(12);
        assertThat(set.encoder()).isEqualTo("onnx:" + onnx.toAbsolutePath().normalize());
        assertThat(set.encoderCard()).contains("tiny-cnn").contains("bicubic");
        Path model = dir.resolve("model");
        Cli t = Cli.run("train", "--data", data.toString(), "--features", features.toString(), "--out", model.toString(),
                "--epochs", "2", "--embed", "8", "--units", "8");
        assertThat(t.status()).as(t.err()).isZero();
        assertThat(Files.readString(model.resolve("config.json"))).contains("\"card\"").contains("tiny-cnn");
        Path image = data.resolve("Flicker8k_Dataset/shapes_000001.jpg");
        // The model names its encoder file outside its own folder and captioner's home: a model
        // file is code, so it is opened only on the user's word.
        Cli untrusted = Cli.run("caption", "--model", model.toString(), image.toString());
        assertThat(untrusted.status()).isEqualTo(1);
        assertThat(untrusted.err()).contains("outside the model directory").contains("--trust-model-paths")
                .contains("cnn.onnx");
        Cli c = Cli.run("caption", "--model", model.toString(), "--trust-model-paths", image.toString());
        assertThat(c.status()).as(c.err()).isZero();
        assertThat(c.out()).startsWith(image + "\t");
        assertThat(Cli.run("caption", "--model", model.toString(), "--weights", onnx.toString(), image.toString()).out())
                .as("--weights is the user's word too").isEqualTo(c.out());

        // The card travels in the model: even with the card beside the file changed, captions are the same.
        Files.writeString(dir.resolve("cnn.onnx.json"), "{}");
        assertThat(Cli.run("caption", "--model", model.toString(), "--trust-model-paths", image.toString()).out())
                .isEqualTo(c.out());

        // Another model file under the same name is refused, naming both hashes.
        Files.copy(dir.resolve("cnn_other.onnx"), onnx, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Cli other = Cli.run("caption", "--model", model.toString(), "--trust-model-paths", image.toString());
        assertThat(other.status()).isEqualTo(1);
        assertThat(other.err().lines().filter(l -> l.startsWith("error:")).findFirst().orElse(""))
                .containsPattern("cnn.onnx: SHA-256 [0-9a-f]{64}, not the [0-9a-f]{64} the model was trained with");
        // Checked before the engine opens it: a file that is not even a model gets the same answer.
        Files.writeString(onnx, "this would crash a parser, or worse");
        Cli junk = Cli.run("caption", "--model", model.toString(), "--trust-model-paths", image.toString());
        assertThat(junk.err()).contains("not the").contains("the model was trained with").doesNotContain("ONNX");
    }

    @Test
    void gridFeaturesFromATorchScriptVitAndBadInputLeaveNothingBehind() throws Exception {
        Path grids = dir.resolve("vit-grid.h5");
        Cli f = Cli.run("features", "--data", data.toString(), "--encoder", "torchscript:" + dir.resolve("vit.pt"),
                "--grid", "--out", grids.toString());
        assertThat(f.status()).as(f.err()).isZero();
        assertThat(FeatureStore.read(grids).grid()).hasToString("4x4x24");

        Path out = dir.resolve("bad.h5");
        Files.writeString(dir.resolve("junk.onnx"), "not a model");
        Cli junk = Cli.run("features", "--data", data.toString(), "--encoder", "onnx:" + dir.resolve("junk.onnx"),
                "--out", out.toString());
        assertThat(junk.status()).isEqualTo(1);
        assertThat(junk.err().lines().filter(l -> l.startsWith("error:")).toList()).hasSize(1);
        assertThat(junk.err()).contains("junk.onnx").doesNotContain("\tat ");
        Cli noScheme = Cli.run("features", "--data", data.toString(), "--encoder", "onnx", "--out", out.toString());
        assertThat(noScheme.status()).isEqualTo(2);
        assertThat(noScheme.err()).contains("onnx:FILE");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("bad.h5")
                    || n.startsWith(".bad.h5"));
        }
    }
}
