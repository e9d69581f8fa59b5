package dev.captioner.train;

import dev.captioner.model.ModelSpec;
import dev.captioner.model.ModelConfig;
import dev.captioner.model.CaptionNet;
import dev.captioner.model.Architecture;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.captioner.features.FeatureRows;
import dev.captioner.testutil.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The seed trains on (prefix, next word) pairs; captioner runs the LSTM once per caption. With
 * the same weights and dropout off, every prefix's next-word distribution must be the same.
 */
class ObjectiveEquivalenceTest {

    /**
     * The longest chain of float32 sums behind a log-probability of the tiny models: up to 12
     * recurrent steps, each summing products over the 8-wide input and 12-wide state (and the
     * transformer's 16-wide feed-forward), then the output over the vocabulary: about 400 terms.
     */
    private static final int FORWARD_TERMS = 400;

    /** A tiny model; an attention model reads the features as a 2 x 1 grid of featureDim / 2. */
    static ModelConfig tiny(Architecture a, int vocab, int featureDim) {
        boolean grid = a.features() == dev.captioner.vision.FeatureKind.GRID;
        return ModelConfig.of(ModelSpec.defaults().withArchitecture(a).withSizes(8, 12)
                .withSettingsFrom(new ModelSpec.AttentionSpec(5, 1f),
                        new ModelSpec.TransformerSpec(2, 8, 2, 16, false, 0)), vocab, 12,
                new ModelConfig.EncoderInfo("test", featureDim, 32, "sha", null,
                        grid ? new dev.captioner.vision.GridShape(2, 1, featureDim / 2) : null), null);
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void pairsAndSequenceGiveTheSamePerPrefixDistributions(Architecture architecture) {
        Random r = new Random(3);
        int vocab = 17;
        float[][] features = new float[5][6];
        for (float[] row : features) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        List<CaptionExample> batch = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            int[] tokens = new int[2 + r.nextInt(9)];
            tokens[0] = 1;
            for (int k = 1; k < tokens.length; k++) {
                tokens[k] = 2 + r.nextInt(vocab - 2);
            }
            batch.add(new CaptionExample(r.nextInt(features.length), tokens));
        }
        Engine.getInstance().setRandomSeed(5);
        try (NDManager m = NDManager.newBaseManager()) {
            CaptionNet net = CaptionNet.create(tiny(architecture, vocab, 6));
            net.initialize(m);
            ParameterStore ps = new ParameterStore(m, false);
            float[] seq = NextWordLoss.logProbs(net, ps, m, batch, FeatureRows.of(features, 6), Objective.SEQUENCE, false).toFloatArray();
            float[] pairs = NextWordLoss.logProbs(net, ps, m, batch, FeatureRows.of(features, 6), Objective.PAIRS, false).toFloatArray();
            int predictions = batch.stream().mapToInt(CaptionExample::predictions).sum();
            assertThat(seq).hasSize(predictions * vocab);
            assertThat(pairs).hasSize(seq.length);
            // The same network on other batch shapes: equal up to summation order. A log-softmax's
            // error is of its logits' scale, the largest magnitude in the batch.
            Tolerance.assertClose(pairs, seq, Tolerance.floatSums(FORWARD_TERMS), "log-probabilities");
            // Each row is a distribution.
            for (int p = 0; p < predictions; p++) {
                double sum = 0;
                for (int v = 0; v < vocab; v++) {
                    sum += Math.exp(seq[p * vocab + v]);
                }
                assertThat(sum).isCloseTo(1.0, Tolerance.relative(1.0, Tolerance.floatSums(vocab + 1)));
            }
            // With dropout on, the two paths draw different masks: the test above is not vacuous.
            float[] drop = NextWordLoss.logProbs(net, ps, m, batch, FeatureRows.of(features, 6), Objective.SEQUENCE, true).toFloatArray();
            assertThat(drop).isNotEqualTo(seq);
        }
    }
}
