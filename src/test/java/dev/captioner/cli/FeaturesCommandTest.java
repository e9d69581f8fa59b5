package dev.captioner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.captioner.features.FeatureSet;
import dev.captioner.features.FeatureStore;
import dev.captioner.testutil.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeaturesCommandTest {

    @TempDir
    Path tmp;

    @Test
    void trainsAConceptsEncoderThenExtractsAndResumesFeaturesFromTheCommandLine() throws Exception {
        Path data = tmp.resolve("shapes");
        assertThat(Cli.run("dataset", "synth", "--out", data.toString(), "--images", "24", "--size", "32").status()).isZero();
        Path enc = tmp.resolve("enc");
        Cli train = Cli.run("encoder", "train", "--data", data.toString(), "--out", enc.toString(), "--size", "32",
                "--epochs", "1", "--labels", "8");
        assertThat(train.status()).as(train.err()).isZero();
        assertThat(train.out()).contains("wrote concepts encoder").contains("8 labels");

        Path out = tmp.resolve("f.h5");
        Cli first = Cli.run("features", "--data", data.toString(), "--encoder", "concepts", "--weights", enc.toString(),
                "--split", "train", "--out", out.toString());
        assertThat(first.status()).as(first.err()).isZero();
        assertThat(first.out()).contains("wrote 18 features (concepts, 256-d)").contains("18 computed, 0 reused");
        FeatureSet set = FeatureStore.read(out);
        assertThat(set.encoder()).isEqualTo("concepts");
        assertThat(set.imageSize()).isEqualTo(32);

        Cli all = Cli.run("features", "--data", data.toString(), "--encoder", "concepts", "--weights", enc.toString(),
                "--out", out.toString());
        assertThat(all.out()).contains("wrote 24 features").contains("6 computed, 18 reused");
    }

    @Test
    void aCorruptImageFailsTheRunAtTheEndAfterWritingTheRest() throws Exception {
        Path data = tmp.resolve("shapes");
        Cli.run("dataset", "synth", "--out", data.toString(), "--images", "12", "--size", "32");
        Path enc = tmp.resolve("enc");
        Cli.run("encoder", "train", "--data", data.toString(), "--out", enc.toString(), "--size", "32", "--epochs", "1",
                "--labels", "4");
        Files.write(data.resolve("Flicker8k_Dataset/shapes_000002.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 0});
        Path out = tmp.resolve("f.h5");
        Cli r = Cli.run("features", "--data", data.toString(), "--encoder", "concepts", "--weights", enc.toString(),
                "--out", out.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.out()).contains("wrote 11 features").contains("1 failed");
        assertThat(r.err()).contains("error: 1 image could not be encoded");
        assertThat(FeatureStore.read(out).ids()).doesNotContain("shapes_000002.jpg").hasSize(11);
    }

    @Test
    void unknownEncoderAndMissingWeightsAreOneLineErrors() {
        // An unknown encoder is a wrong command line, refused with the registry's names.
        Cli r = Cli.run("features", "--data", tmp.toString(), "--encoder", "resnet", "--out", tmp.resolve("f.h5").toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").contains("unknown encoder 'resnet'").contains("vgg16, mobilenet, concepts");
        Cli w = Cli.run("features", "--data", tmp.toString(), "--encoder", "vgg16", "--weights",
                tmp.resolve("nope.h5").toString(), "--out", tmp.resolve("f.h5").toString());
        assertThat(w.status()).isEqualTo(1);
        assertThat(w.err().lines()).hasSize(1);
    }
}
