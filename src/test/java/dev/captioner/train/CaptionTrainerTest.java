package dev.captioner.train;

import dev.captioner.model.EpochRecord;
import dev.captioner.model.TransformerCaptionNet;
import dev.captioner.model.ModelSpec;
import dev.captioner.model.ModelDirectory;
import dev.captioner.model.Decay;
import dev.captioner.model.CaptionModel;
import dev.captioner.model.AttentionCaptionNet;
import dev.captioner.model.Architecture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.data.Dataset;
import dev.captioner.data.DatasetLoader;
import dev.captioner.data.ImageRecord;
import dev.captioner.data.LoadSpec;
import dev.captioner.data.Split;
import dev.captioner.data.SynthSpec;
import dev.captioner.data.SyntheticShapes;
import dev.captioner.features.FeatureSet;
import dev.captioner.testutil.Fixtures;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.EngineThreads;
import dev.captioner.testutil.Tolerance;
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

    private static final ModelSpec SMALL = ModelSpec.defaults().withSizes(16, 16).withDropout(0f);

    private Dataset dataset() throws Exception {
        SyntheticShapes.generate(new SynthSpec(40, 32, 2), tmp.resolve("data"));
        return DatasetLoader.load(tmp.resolve("data"), LoadSpec.defaults());
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
        for (String f : List.of("config.json", "vocab.json", "model.params", "history.json")) {
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

    /** Dropout on, so that a resumed run that replayed another epoch's masks would differ. */
    private static final ModelSpec WITH_DROPOUT = ModelSpec.defaults().withSizes(16, 16).withDropout(0.3f);

    private static double[] devLosses(CaptionTrainer.Result r) {
        return r.history().stream().mapToDouble(EpochRecord::devLoss).toArray();
    }

    @Test
    void anInterruptedRunResumesFromItsLastEpochAndEndsExactlyLikeAnUninterruptedOne() throws Exception {
        try (Dataset d = dataset()) {
            double[] straight = devLosses(trainer().train(d, features(d, 0), tmp.resolve("a"), WITH_DROPOUT, epochs(4),
                    false));
            Path out = tmp.resolve("b");
            assertThatThrownBy(() -> trainer().afterEpoch((epoch, net) -> {
                if (epoch == 2) {
                    throw new IllegalStateException("power cut");
                }
            }).train(d, features(d, 0), out, WITH_DROPOUT, epochs(4), false)).hasMessage("power cut");
            assertThat(out.resolve("config.json")).doesNotExist();
            assertThatThrownBy(() -> CaptionModel.load(out)).hasMessageContaining("training has not finished");
            assertThatThrownBy(() -> trainer().train(d, features(d, 0), out, WITH_DROPOUT, epochs(4), false))
                    .hasMessageContaining("--resume");
            CaptionTrainer.Result resumed = trainer().train(d, features(d, 0), out, WITH_DROPOUT, epochs(4), true);
            // Epochs 3 and 4 draw the same dropout masks and batch order as in the straight run.
            assertThat(devLosses(resumed)).containsExactly(straight);
            assertThat(Files.readAllBytes(out.resolve("model.params")))
                    .isEqualTo(Files.readAllBytes(tmp.resolve("a/model.params")));
        }
    }

    @Test
    void aCrashDuringACheckpointCommitResumesFromTheLastCompleteEpoch() throws Exception {
        try (Dataset d = dataset()) {
            double[] straight = devLosses(trainer().train(d, features(d, 0), tmp.resolve("a"), WITH_DROPOUT, epochs(3),
                    false));
            Path out = tmp.resolve("b");
            assertThatThrownBy(() -> trainer().afterEpoch((epoch, net) -> {
                if (epoch == 1) {
                    throw new IllegalStateException("killed");
                }
            }).train(d, features(d, 0), out, WITH_DROPOUT, epochs(3), false)).hasMessage("killed");
            // What a kill while epoch 2 was being committed leaves: a half-written folder under a
            // temporary name, and a history from the future.
            Path training = new ModelDirectory(out).trainingDir();
            Path half = Files.createDirectories(training.resolve(".epoch-0002.0000.tmp"));
            Files.write(half.resolve("last.params"), new byte[] {1, 2, 3});
            Files.writeString(half.resolve("state.json"), "{\"epoch\": 2");
            Files.writeString(out.resolve("history.json"), "[ {\"epoch\": 1}, {\"epoch\": 2} ]");
            CaptionTrainer.Result resumed = trainer().train(d, features(d, 0), out, WITH_DROPOUT, epochs(3), true);
            assertThat(devLosses(resumed)).containsExactly(straight);
            assertThat(training).doesNotExist();
        }
    }

    @Test
    void resumeWithNothingFinishedStartsFromTheFirstEpoch() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Dataset d = dataset()) {
            CaptionTrainer.Result r = new CaptionTrainer(new PrintStream(log, true)).train(d, features(d, 0),
                    tmp.resolve("fresh"), SMALL, epochs(2), true);
            assertThat(r.history()).hasSize(2);
        }
        assertThat(log.toString()).contains("no finished epoch to resume; starting from epoch 1");
    }

    @Test
    void sameSeedRunsAreIdentical() throws Exception {
        try (Dataset d = dataset()) {
            ModelSpec wide = ModelSpec.defaults().withSizes(32, 64).withDropout(0.3f);
            // Two threads per operation: same-seed runs must agree however PyTorch splits the work.
            EngineThreads.set(2);
            TrainConfig big = new TrainConfig(3, 64, 1e-2f, 5f, 10, Objective.SEQUENCE, 5);
            CaptionTrainer.Result a = trainer().train(d, features(d, 0), tmp.resolve("a"), wide, big, false);
            CaptionTrainer.Result b = trainer().train(d, features(d, 0), tmp.resolve("b"), wide, big, false);
            assertThat(devLosses(b)).containsExactly(devLosses(a));
            assertThat(Files.readAllBytes(tmp.resolve("b/model.params")))
                    .isEqualTo(Files.readAllBytes(tmp.resolve("a/model.params")));
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
            assertThat(out.resolve("training/epoch-0001/last.params")).isRegularFile();
            assertThat(out.resolve("training/epoch-0001/best.params")).isRegularFile();
            assertThat(out.resolve("config.json")).doesNotExist();
            // The checkpoint holds epoch 1's good weights: resuming trains on.
            CaptionTrainer.Result r = trainer().train(d, features(d, 0), out, SMALL, epochs(3), true);
            assertThat(r.history()).hasSize(3).allMatch(e -> Double.isFinite(e.trainLoss()));
        }
    }

    /**
     * A dataset where training must hurt the dev loss: every training caption is "red blue" and
     * every dev caption "blue red", with identical features, so the better the model fits the
     * training split the less likely it finds the dev captions.
     */
    private Dataset opposedSplits() throws Exception {
        Path root = tmp.resolve("opposed");
        StringBuilder tokens = new StringBuilder();
        StringBuilder train = new StringBuilder();
        StringBuilder dev = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            boolean isTrain = i < 16;
            String name = "img" + i + ".jpg";
            for (int k = 0; k < 3; k++) {
                tokens.append(name).append('#').append(k).append('\t').append(isTrain ? "red blue" : "blue red").append('\n');
            }
            (isTrain ? train : dev).append(name).append('\n');
        }
        Fixtures.write(root.resolve("Flickr8k_text/Flickr8k.token.txt"), tokens.toString());
        Fixtures.write(root.resolve("Flickr8k_text/Flickr_8k.trainImages.txt"), train.toString());
        Fixtures.write(root.resolve("Flickr8k_text/Flickr_8k.devImages.txt"), dev.toString());
        Fixtures.write(root.resolve("Flickr8k_text/Flickr_8k.testImages.txt"), "");
        return DatasetLoader.load(root, LoadSpec.defaults());
    }

    private static FeatureSet constantFeatures(Dataset d) {
        List<String> ids = d.images().stream().map(ImageRecord::name).toList();
        float[][] rows = new float[ids.size()][8];
        for (float[] row : rows) {
            java.util.Arrays.fill(row, 0.5f);
        }
        return new FeatureSet(ids, rows, "test", 8, "sha", 32);
    }

    @Test
    void earlyStoppingStopsAfterPatienceEpochsWithoutImprovementAndKeepsTheBestEpoch() throws Exception {
        try (Dataset d = opposedSplits()) {
            TrainConfig config = new TrainConfig(15, 8, 1e-2f, 5f, 2, Objective.SEQUENCE, 1);
            Path out = tmp.resolve("m");
            CaptionTrainer.Result r = trainer().train(d, constantFeatures(d), out, SMALL, config, false);
            assertThat(r.stoppedEarly()).isTrue();
            assertThat(r.history().size()).isLessThan(15).isEqualTo(r.bestEpoch() + 2);
            double best = r.history().stream().mapToDouble(EpochRecord::devLoss).min().orElseThrow();
            assertThat(r.history().get(r.bestEpoch() - 1).devLoss()).isEqualTo(best);
            // The kept parameters are the best epoch's: they score its dev loss again.
            try (CaptionModel m = CaptionModel.load(out); ai.djl.ndarray.NDManager nd = ai.djl.ndarray.NDManager.newBaseManager()) {
                List<CaptionExample> dev = CaptionTrainer.examples(d.images(Split.DEV), constantFeatures(d).index(), SMALL,
                        m.vocabulary());
                double again = CrossEntropyObjective.evaluate(m.net(), new ai.djl.training.ParameterStore(nd, false), nd,
                        constantFeatures(d).rows(), dev, 64);
                // The same parameters, examples and batches: only another thread split of its
                // sums (about 1,000 terms: 16-wide layers over the dev captions' tokens) may differ.
                assertThat(again).isCloseTo(best, Tolerance.relative(best, Tolerance.floatSums(1000)));
            }
        }
    }

    /** The same 8 numbers per image, read as a 2 x 2 grid of 2-dimensional annotations. */
    private static FeatureSet gridFeatures(Dataset d) {
        FeatureSet pooled = features(d, 0);
        return new FeatureSet(pooled.ids(), pooled.rows(), "test", 8, "sha", 32, null,
                new dev.captioner.vision.GridShape(2, 2, 2));
    }

    @Test
    void anAttentionModelTrainsResumesExactlyAndRefusesPooledFeatures() throws Exception {
        ModelSpec attention = ModelSpec.defaults().withArchitecture(Architecture.ATTENTION).withSizes(16, 16)
                .withDropout(0.3f).withSettings(new ModelSpec.AttentionSpec(8, 1f));
        try (Dataset d = dataset()) {
            assertThatThrownBy(() -> trainer().train(d, features(d, 0), tmp.resolve("pooled"), attention, epochs(1), false))
                    .isInstanceOf(CaptionerException.class)
                    .hasMessageContaining("attention model reads grid features").hasMessageContaining("--grid");
            assertThatThrownBy(() -> trainer().train(d, gridFeatures(d), tmp.resolve("grid"), SMALL, epochs(1), false))
                    .hasMessageContaining("merge model reads pooled features");
            CaptionTrainer.Result straight = trainer().train(d, gridFeatures(d), tmp.resolve("a"), attention, epochs(3),
                    false);
            assertThat(straight.history().get(2).trainLoss()).isLessThan(straight.history().get(0).trainLoss());
            assertThat(straight.config().settings()).isEqualTo(new ModelSpec.AttentionSpec(8, 1f));
            Path out = tmp.resolve("b");
            assertThatThrownBy(() -> trainer().afterEpoch((epoch, net) -> {
                throw new IllegalStateException("power cut");
            }).train(d, gridFeatures(d), out, attention, epochs(3), false)).hasMessage("power cut");
            CaptionTrainer.Result resumed = trainer().train(d, gridFeatures(d), out, attention, epochs(3), true);
            assertThat(devLosses(resumed)).containsExactly(devLosses(straight));
            try (CaptionModel m = CaptionModel.load(out)) {
                assertThat(m.config().grid()).isEqualTo(new dev.captioner.vision.GridShape(2, 2, 2));
                assertThat(m.net()).isInstanceOf(AttentionCaptionNet.class);
            }
        }
    }

    @Test
    void aTransformerTrainsOnGridsOrPooledVectorsWithWarmupAndResumesExactly() throws Exception {
        ModelSpec transformer = ModelSpec.defaults().withArchitecture(Architecture.TRANSFORMER).withDropout(0.1f)
                .withSettings(new ModelSpec.TransformerSpec(2, 16, 4, 32, true, 0));
        TrainConfig warm = new TrainConfig(3, 16, 3e-3f, 5f, 10, Objective.SEQUENCE, 5).withSchedule(4, Decay.INVERSE_SQRT);
        try (Dataset d = dataset()) {
            CaptionTrainer.Result straight = trainer().train(d, gridFeatures(d), tmp.resolve("t"), transformer, warm, false);
            assertThat(straight.history().get(2).trainLoss()).isLessThan(straight.history().get(0).trainLoss());
            assertThat(straight.config().settings()).isEqualTo(transformer.settings());
            Path out = tmp.resolve("t2");
            assertThatThrownBy(() -> trainer().afterEpoch((epoch, net) -> {
                if (epoch == 2) {
                    throw new IllegalStateException("power cut");
                }
            }).train(d, gridFeatures(d), out, transformer, warm, false)).hasMessage("power cut");
            CaptionTrainer.Result resumed = trainer().train(d, gridFeatures(d), out, transformer, warm, true);
            // The warm-up schedule continues from the saved step count: the same run, bit for bit.
            assertThat(devLosses(resumed)).containsExactly(devLosses(straight));
            try (CaptionModel m = CaptionModel.load(out)) {
                assertThat(m.net()).isInstanceOf(TransformerCaptionNet.class);
                assertThat(m.attentionGrid()).isEqualTo(new dev.captioner.vision.GridShape(2, 2, 2));
            }
            // Pooled vectors are a memory of one token; the captions then carry no maps.
            CaptionTrainer.Result pooled = trainer().train(d, features(d, 0), tmp.resolve("tp"), transformer,
                    epochs(2), false);
            assertThat(pooled.history()).hasSize(2);
            try (CaptionModel m = CaptionModel.load(tmp.resolve("tp"))) {
                assertThat(m.attentionGrid()).isNull();
            }
        }
    }

    @Test
    void theWarmupScheduleRisesThenDecaysAsTheInverseSquareRootOrLinearly() {
        TrainConfig c = new TrainConfig(1, 1, 1e-3f, 5f, 1, Objective.SEQUENCE, 1).withSchedule(100, Decay.INVERSE_SQRT);
        assertThat(c.rateFactor(1, 1000)).isEqualTo(0.01);
        assertThat(c.rateFactor(50, 1000)).isEqualTo(0.5);
        assertThat(c.rateFactor(100, 1000)).isEqualTo(1.0);
        assertThat(c.rateFactor(400, 1000)).isEqualTo(0.5);
        assertThat(new TrainConfig(1, 1, 1e-3f, 5f, 1, Objective.SEQUENCE, 1).rateFactor(7, 1000)).isEqualTo(1.0);
        TrainConfig linear = c.withSchedule(100, Decay.LINEAR);
        assertThat(linear.rateFactor(50, 1000)).isEqualTo(0.5);
        assertThat(linear.rateFactor(101, 1000)).isEqualTo(1.0);
        assertThat(linear.rateFactor(551, 1000)).isEqualTo(0.5);
        assertThat(linear.rateFactor(1000, 1000)).isEqualTo(1.0 / 900).isPositive();
        // Linear decay without warm-up starts at the full rate.
        assertThat(c.withSchedule(0, Decay.LINEAR).rateFactor(1, 10)).isEqualTo(1.0);
        assertThat(c.withSchedule(0, Decay.LINEAR).rateFactor(10, 10)).isEqualTo(0.1);
    }

    @Test
    void batchesAreCountedAsTheShufflerMakesThem() {
        Random r = new Random(3);
        for (int n : new int[] {1, 63, 64, 65, 3199, 3200, 3201, 7500, 10_001}) {
            for (int b : new int[] {1, 7, 64}) {
                List<CaptionExample> examples = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    examples.add(new CaptionExample(i, new int[2 + r.nextInt(5)]));
                }
                assertThat(CaptionBatches.count(n, b)).as(n + " captions, batches of " + b)
                        .isEqualTo(CaptionBatches.shuffled(examples, b, r).size());
            }
        }
    }

    @Test
    void aLinearDecayIsResumedOnlyWithTheEpochsItEndsAt() throws Exception {
        ModelSpec spec = ModelSpec.defaults().withSizes(8, 8);
        TrainConfig linear = epochs(3).withSchedule(2, Decay.LINEAR);
        try (Dataset d = dataset()) {
            Path out = tmp.resolve("linear");
            assertThatThrownBy(() -> trainer().afterEpoch((epoch, net) -> {
                throw new IllegalStateException("power cut");
            }).train(d, features(d, 0), out, spec, linear, false)).hasMessage("power cut");
            assertThatThrownBy(() -> trainer().train(d, features(d, 0), out, spec, epochs(4).withSchedule(2, Decay.LINEAR),
                    true)).hasMessageContaining("train.epochs 3 vs 4");
            assertThatThrownBy(() -> trainer().train(d, features(d, 0), out, spec, linear.withSchedule(2,
                    Decay.INVERSE_SQRT), true)).hasMessageContaining("decay linear");
            assertThat(trainer().train(d, features(d, 0), out, spec, linear, true).history()).hasSize(3);
        }
    }

    @Test
    void validatesSettings() {
        assertThatThrownBy(() -> new TrainConfig(0, 1, 1e-3f, 5, 3, Objective.SEQUENCE, 1)).hasMessageContaining("epochs");
        assertThatThrownBy(() -> ModelSpec.defaults().withSizes(8, 8).withDropout(1.5f)).hasMessageContaining("dropout");
    }
}
