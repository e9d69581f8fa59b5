package dev.captioner.train;

import dev.captioner.model.ModelDirectory;
import dev.captioner.model.CaptionModel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.captioner.data.Dataset;
import dev.captioner.data.DatasetLoader;
import dev.captioner.data.LoadSpec;
import dev.captioner.features.FeatureSet;
import dev.captioner.features.FeatureStore;
import dev.captioner.testutil.TinyPipeline;
import dev.captioner.util.CaptionerException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Self-critical training on the tiny pipeline's model, with a reward whose optimum is known:
 * shorter captions score higher. The dev score is the same reward on greedy captions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SelfCriticalTrainerTest {

    @TempDir
    static Path shared;

    private TinyPipeline p;

    @BeforeAll
    void build() throws Exception {
        p = TinyPipeline.build(shared);
    }

    /** Reward: minus the words before the end marker (a caption that never ends scores lowest). */
    private static final class Brevity implements CaptionRewards {
        private final int end;

        Brevity(int end) {
            this.end = end;
        }

        double score(int[] c) {
            int words = c.length > 0 && c[c.length - 1] == end ? c.length - 1 : c.length + 5;
            return -words;
        }

        @Override
        public double[] train(int[] images, int[][] captions) {
            double[] r = new double[captions.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = score(captions[i]);
            }
            return r;
        }

        @Override
        public double dev(int[][] captions) {
            double s = 0;
            for (int[] c : captions) {
                s += score(c);
            }
            return s / captions.length;
        }
    }

    private SelfCriticalTrainer.Result run(Path out, FinetuneConfig settings, boolean resume, SelfCriticalTrainer trainer)
            throws Exception {
        try (Dataset d = DatasetLoader.load(p.data(), LoadSpec.defaults())) {
            FeatureSet f = FeatureStore.read(p.features());
            int end = new ModelDirectory(p.model()).vocabulary(new ModelDirectory(p.model()).config())
                    .index(dev.captioner.data.Cleaning.END);
            return trainer.finetune(p.model(), d, f, out, settings, new Brevity(end), resume);
        }
    }

    private static SelfCriticalTrainer quiet() {
        return new SelfCriticalTrainer(new PrintStream(new ByteArrayOutputStream()));
    }

    private static FinetuneConfig settings(int epochs, Baseline baseline) {
        return new FinetuneConfig(RewardMetric.CIDER_D, 4, baseline, epochs, 1e-2f, 12, 8, 5f, 10, 5);
    }

    @Test
    void theExpectedRewardRisesAndTheBestEpochIsKept() throws Exception {
        for (Baseline b : Baseline.values()) {
            Path out = shared.resolve("brief-" + b.id());
            SelfCriticalTrainer.Result r = run(out, settings(4, b), false, quiet());
            List<FinetuneRecord> h = r.history();
            assertThat(h).hasSize(5);
            assertThat(h.get(0).epoch()).isZero();
            assertThat(h.get(4).meanReward()).as("%s: mean reward of the last epoch over the first", b)
                    .isGreaterThan(h.get(1).meanReward() + 1);
            assertThat(h.get(r.bestEpoch()).devCider()).as("the kept epoch is the best on dev")
                    .isEqualTo(h.stream().mapToDouble(FinetuneRecord::devCider).max().orElseThrow());
            assertThat(h.get(r.bestEpoch()).devCider()).isGreaterThan(h.get(0).devCider());
            // A normal model directory that loads, with the fine-tuning history beside the training one.
            try (CaptionModel m = CaptionModel.load(out)) {
                assertThat(m.config()).isEqualTo(new ModelDirectory(p.model()).config());
            }
            assertThat(out.resolve(ModelDirectory.HISTORY)).exists();
            assertThat(SelfCriticalTrainer.History.of(out).orElseThrow().bestEpoch()).isEqualTo(r.bestEpoch());
            assertThat(out.resolve(ModelDirectory.TRAINING_DIR)).doesNotExist();
        }
    }

    @Test
    void aRunResumedAfterAnInterruptionEndsExactlyLikeAnUninterruptedOne() throws Exception {
        FinetuneConfig s = settings(3, Baseline.OTHERS);
        Path whole = shared.resolve("whole");
        SelfCriticalTrainer.Result a = run(whole, s, false, quiet());
        Path cut = shared.resolve("cut");
        assertThatThrownBy(() -> run(cut, s, false, quiet().afterEpoch(e -> {
            if (e == 2) {
                throw new IllegalStateException("interrupted");
            }
        }))).hasMessage("interrupted");
        assertThat(cut.resolve(ModelDirectory.CONFIG)).doesNotExist();
        assertThatThrownBy(() -> run(cut, s, false, quiet())).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("--resume");
        assertThatThrownBy(() -> run(cut, new FinetuneConfig(RewardMetric.CIDER_D, 4, Baseline.OTHERS, 3, 2e-2f, 12, 8,
                5f, 10, 5), true, quiet())).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("finetune.learning_rate 0.01 vs 0.02").hasMessageContaining("same data and settings");
        Path trained = shared.resolve("trained-cut");
        try (Dataset d = DatasetLoader.load(p.data(), LoadSpec.defaults())) {
            assertThatThrownBy(() -> new CaptionTrainer(new PrintStream(new ByteArrayOutputStream()))
                    .afterEpoch((e, n) -> {
                        throw new IllegalStateException("interrupted");
                    }).train(d, FeatureStore.read(p.features()), trained, dev.captioner.model.ModelSpec.defaults()
                            .withSizes(8, 8), new TrainConfig(2, 16, 1e-2f, 5f, 10, Objective.SEQUENCE, 7), false))
                    .hasMessage("interrupted");
        }
        assertThatThrownBy(() -> run(trained, s, true, quiet())).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("is a 'train' run, not a 'finetune' one");
        SelfCriticalTrainer.Result b = run(cut, s, true, quiet());
        assertThat(Files.readAllBytes(cut.resolve(ModelDirectory.PARAMS)))
                .isEqualTo(Files.readAllBytes(whole.resolve(ModelDirectory.PARAMS)));
        assertThat(b.bestEpoch()).isEqualTo(a.bestEpoch());
        assertThat(b.history().stream().map(r -> List.of(r.epoch(), r.meanReward(), r.meanBaseline(), r.devCider())))
                .isEqualTo(a.history().stream().map(r -> List.of(r.epoch(), r.meanReward(), r.meanBaseline(), r.devCider()))
                        .toList());
        assertThatThrownBy(() -> run(cut, s, false, quiet())).isInstanceOf(CaptionerException.class)
                .hasMessageContaining("already holds a model");
    }

    @Test
    void theOthersBaselineIsTheMeanOfTheOtherSamples() {
        double[] b = Baseline.others(new double[] {1, 2, 3, 4, 4, 4}, 3);
        assertThat(b).containsExactly(2.5, 2.0, 1.5, 4.0, 4.0, 4.0);
        assertThatThrownBy(() -> new FinetuneConfig(RewardMetric.CIDER_D, 1, Baseline.OTHERS, 3, 1e-4f, 12, 8, 5f, 3, 1))
                .hasMessageContaining("at least 2 samples");
    }
}
