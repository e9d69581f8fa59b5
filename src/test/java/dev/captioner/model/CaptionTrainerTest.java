package dev.captioner.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.data.Cleaning;
import dev.captioner.data.Dataset;
import dev.captioner.data.DatasetLoader;
import dev.captioner.data.ImageRecord;
import dev.captioner.data.LoadOptions;
import dev.captioner.data.SynthConfig;
import dev.captioner.data.SyntheticShapes;
import dev.captioner.features.FeatureSet;
import dev.captioner.util.CaptionerException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionTrainerTest {

    @TempDir
    Path tmp;

    private static final ModelSpec SMALL = new ModelSpec(Architecture.MERGE, 16, 16, 0f, Cleaning.SEED, 1);

    private Dataset dataset() throws Exception {
        SyntheticShapes.generate(new SynthConfig(40, 32, 2), tmp.resolve("data"));
        return DatasetLoader.load(tmp.resolve("data"), LoadOptions.defaults());
    }

    /** Features that say something about the captions: a hash of the first caption's words. */
    private static FeatureSet features(Dataset d, int skip) {
        List<String> ids = new ArrayList<>();
        List<float[]> rows = new ArrayList<>();
        for (ImageRecord r : d.images()) {
            if (ids.size() < skip) {
                ids.add("unused_" + ids.size());
                rows.add(new float[8]);
                continue;
            }
            float[] f = new float[8];
            for (String w : r.captions().get(0).split(" ")) {
                f[Math.floorMod(w.hashCode(), 8)] += 1;
            }
            ids.add(r.name());
            rows.add(f);
        }
        return new FeatureSet(ids, rows.toArray(float[][]::new), "test", 8, "sha", 32);
    }

    private static CaptionTrainer trainer() {
        return new CaptionTrainer(new PrintStream(new ByteArrayOutputStream()));
    }

    private static TrainConfig epochs(int n) {
        return new TrainConfig(n, 16, 1e-2f, 5f, 10, Objective.SEQUENCE, 7);
    }

    @Test
    void writesAMovableModelDirectory() throws Exception {
        Path out = tmp.resolve("model");
        try (Dataset d = dataset()) {
            CaptionTrainer.Result r = trainer().train(d, features(d, 0), out, SMALL, epochs(4), false);
            assertThat(r.history()).hasSize(4);
            assertThat(r.history().get(3).trainLoss()).isLessThan(r.history().get(0).trainLoss());
            assertThat(r.history()).allMatch(e -> e.tokensPerSecond() > 0 && Double.isFinite(e.devLoss()));
        }
        for (String f : List.of("config.json", "vocab.json", "model.params", "history.json", "loss.png")) {
            assertThat(out.resolve(f)).as(f).isRegularFile();
        }
        assertThat(out.resolve("training")).doesNotExist();
        assertThat(new ObjectMapper().readTree(out.resolve("history.json").toFile()).get(0).fieldNames())
                .toIterable().containsExactly("epoch", "train_loss", "dev_loss", "seconds", "tokens_per_second");
        Path moved = Files.move(out, tmp.resolve("elsewhere"));
        try (CaptionModel m = CaptionModel.load(moved)) {
            assertThat(m.config().encoder().name()).isEqualTo("test");
            assertThat(m.config().encoder().featureDim()).isEqualTo(8);
            assertThat(m.config().data().format()).isEqualTo("flickr8k");
            assertThat(m.vocabulary().word(1)).isEqualTo("startseq");
        }
    }

    @Test
    void missingFeaturesAreNamed() throws Exception {
        try (Dataset d = dataset()) {
            assertThatThrownBy(() -> trainer().train(d, features(d, 13), tmp.resolve("m"), SMALL, epochs(1), false))
                    .isInstanceOf(CaptionerException.class)
                    .hasMessageMatching("the feature file has no features for \\d+ of the \\d+ (train|dev) images "
                            + "\\(first \\d+: shapes_.*");
        }
    }

    @Test
    void anInterruptedRunResumesFromItsLastEpochAndEndsLikeAnUninterruptedOne() throws Exception {
        double[] straight;
        try (Dataset d = dataset()) {
            straight = trainer().train(d, features(d, 0), tmp.resolve("a"), SMALL, epochs(3), false).history().stream()
                    .mapToDouble(EpochRecord::devLoss).toArray();
            Path out = tmp.resolve("b");
            assertThatThrownBy(() -> trainer().afterEpoch((epoch, net) -> {
                if (epoch == 2) {
                    throw new IllegalStateException("power cut");
                }
            }).train(d, features(d, 0), out, SMALL, epochs(3), false)).hasMessage("power cut");
            assertThat(out.resolve("config.json")).doesNotExist();
            assertThatThrownBy(() -> CaptionModel.load(out)).hasMessageContaining("training has not finished");
            assertThatThrownBy(() -> trainer().train(d, features(d, 0), out, SMALL, epochs(3), false))
                    .hasMessageContaining("--resume");
            CaptionTrainer.Result resumed = trainer().train(d, features(d, 0), out, SMALL, epochs(3), true);
            assertThat(resumed.history()).hasSize(3);
            for (int i = 0; i < 3; i++) {
                assertThat(resumed.history().get(i).devLoss()).isCloseTo(straight[i],
                        org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    @Test
    void aNanLossStopsWithAClearErrorAndKeepsTheLastGoodCheckpoint() throws Exception {
        Path out = tmp.resolve("m");
        try (Dataset d = dataset()) {
            assertThatThrownBy(() -> trainer().afterEpoch((epoch, net) -> {
                for (Pair<String, Parameter> p : net.getParameters()) {
                    if (p.getKey().contains("output")) {
                        p.getValue().getArray().muli(Float.NaN);
                    }
                }
            }).train(d, features(d, 0), out, SMALL, epochs(3), false))
                    .isInstanceOf(CaptionerException.class)
                    .hasMessageContaining("training diverged in epoch 2").hasMessageContaining("NaN");
            assertThat(out.resolve("model.params")).isRegularFile();
            assertThat(out.resolve("training/last.params")).isRegularFile();
            // The checkpoint holds epoch 1's good weights: resuming trains on.
            CaptionTrainer.Result r = trainer().train(d, features(d, 0), out, SMALL, epochs(3), true);
            assertThat(r.history()).hasSize(3).allMatch(e -> Double.isFinite(e.trainLoss()));
        }
    }

    @Test
    void earlyStoppingKeepsTheBestEpoch() throws Exception {
        try (Dataset d = dataset()) {
            // A huge learning rate makes dev loss worse after the first epochs.
            TrainConfig wild = new TrainConfig(12, 8, 0.5f, 5f, 2, Objective.SEQUENCE, 1);
            CaptionTrainer.Result r = trainer().train(d, features(d, 0), tmp.resolve("m"), SMALL, wild, false);
            double best = r.history().stream().mapToDouble(EpochRecord::devLoss).min().orElseThrow();
            assertThat(r.history().get(r.bestEpoch() - 1).devLoss()).isEqualTo(best);
            if (r.stoppedEarly()) {
                assertThat(r.history().size() - r.bestEpoch()).isEqualTo(2);
            }
        }
    }

    @Test
    void validatesSettings() {
        assertThatThrownBy(() -> new TrainConfig(0, 1, 1e-3f, 5, 3, Objective.SEQUENCE, 1)).hasMessageContaining("epochs");
        assertThatThrownBy(() -> new ModelSpec(Architecture.MERGE, 8, 8, 1.5f, Cleaning.SEED, 1)).hasMessageContaining("dropout");
        new Random(1);
    }
}
