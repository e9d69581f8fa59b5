package dev.captioner.model;

import dev.captioner.train.Objective;
import dev.captioner.train.NextWordLoss;
import dev.captioner.train.CaptionExample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.captioner.features.FeatureRows;
import dev.captioner.testutil.FiniteDifference;
import dev.captioner.vision.GridShape;
import dev.captioner.testutil.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The attention network's pieces, checked by hand and against finite differences. */
class AttentionCaptionNetTest {

    private static final int VOCAB = 9;
    private static final GridShape GRID = new GridShape(2, 3, 4);

    private static ModelConfig config(float dropout, float alphaReg) {
        return ModelConfig.of(ModelSpec.defaults().withArchitecture(Architecture.ATTENTION).withSizes(5, 7)
                .withDropout(dropout).withSettings(new ModelSpec.AttentionSpec(6, alphaReg)), VOCAB, 8,
                new ModelConfig.EncoderInfo("test", GRID.size(), 32, "sha", null, GRID), null);
    }

    private static float[][] features(int n, long seed) {
        Random r = new Random(seed);
        float[][] f = new float[n][GRID.size()];
        for (float[] row : f) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) r.nextGaussian();
            }
        }
        return f;
    }

    private static List<CaptionExample> captions(int n, long seed) {
        Random r = new Random(seed);
        List<CaptionExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] tokens = new int[3 + r.nextInt(4)];
            tokens[0] = 1;
            for (int k = 1; k < tokens.length; k++) {
                tokens[k] = 2 + r.nextInt(VOCAB - 2);
            }
            out.add(new CaptionExample(i % 3, tokens));
        }
        return out;
    }

    @Test
    void theRegulariserIsLambdaTimesTheSquaredCoverageGapSummedOverLocationsAndAveragedOverCaptions() {
        try (NDManager m = NDManager.newBaseManager()) {
            AttentionCaptionNet net = (AttentionCaptionNet) CaptionNet.create(config(0, 2f));
            // Two captions, two steps, two locations. Caption 0 predicts two words, caption 1 one.
            NDArray alphas = m.create(new float[] {0.7f, 0.3f, 0.4f, 0.6f, 0.7f, 0.3f, 0.9f, 0.1f}, new Shape(2, 2, 2));
            // Caption 0 covers [1.1, 0.9]: gap² 0.01 + 0.01 = 0.02. Caption 1 covers [0.7, 0.3]:
            // 0.09 + 0.49 = 0.58 (its second step is padding). Mean 0.30, times λ = 2: 0.60.
            float penalty = net.penalty(alphas, new int[] {2, 1}).getFloat();
            assertThat(penalty).isCloseTo(0.60f, Tolerance.relative(0.60f, Tolerance.floatSums(8)));
        }
    }

    @Test
    void attentionWeightsAreADistributionOverTheGridAtEveryStep() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            CaptionNet net = CaptionNet.create(config(0, 1f));
            net.initialize(m);
            ParameterStore ps = new ParameterStore(m, false);
            CaptionNet.Decoding d = net.startDecoding(ps, m.create(features(2, 1)[0], new Shape(1, GRID.size())), 3);
            for (int step = 0; step < 4; step++) {
                try (NDManager s = m.newSubManager()) {
                    d.step(s, ps, s.create(new long[] {1, 2, 3}, new Shape(3, 1)));
                    float[] alpha = d.attention().toFloatArray();
                    assertThat(alpha).hasSize(3 * GRID.locations());
                    for (int row = 0; row < 3; row++) {
                        double sum = 0;
                        for (int l = 0; l < GRID.locations(); l++) {
                            assertThat(alpha[row * GRID.locations() + l]).isBetween(0f, 1f);
                            sum += alpha[row * GRID.locations() + l];
                        }
                        // A softmax over the locations: each weight carries the rounding of its normalising sum.
                        assertThat(sum).isCloseTo(1.0, Tolerance.relative(1.0, Tolerance.floatSums(GRID.locations() + 1)));
                    }
                    d.reorder(s, s.create(new long[] {2, 0, 1}));
                }
            }
        }
    }

    /** The training loss (next-word loss plus the regulariser) of a fixed batch, without gradients. */
    private static double loss(CaptionNet net, NDManager m, List<CaptionExample> batch, FeatureRows rows) {
        try (NDManager s = m.newSubManager()) {
            return NextWordLoss.targets(net, new ParameterStore(s, false), s, batch, rows, Objective.SEQUENCE, false)
                    .loss().getFloat();
        }
    }

    @Test
    void backpropagationThroughTheAttentionStepAgreesWithFiniteDifferences() {
        Engine.getInstance().setRandomSeed(11);
        FeatureRows rows = FeatureRows.of(features(3, 5), GRID.size());
        List<CaptionExample> batch = captions(4, 6);
        try (NDManager m = NDManager.newBaseManager()) {
            CaptionNet net = CaptionNet.create(config(0, 1f));
            net.initialize(m);
            for (Pair<String, Parameter> p : net.getParameters()) {
                p.getValue().getArray().setRequiresGradient(true);
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(NextWordLoss.targets(net, new ParameterStore(m, false), m, batch, rows, Objective.SEQUENCE,
                        true).loss());
            }
            double loss0 = loss(net, m, batch, rows);
            Random r = new Random(7);
            int checked = 0;
            int significant = 0;
            for (Pair<String, Parameter> p : net.getParameters()) {
                String name = p.getKey();
                if (!(name.contains("Attention") || name.contains("gate") || name.contains("init"))) {
                    continue;
                }
                NDArray w = p.getValue().getArray();
                float[] grad = w.getGradient().toFloatArray();
                for (int trial = 0; trial < 3; trial++) {
                    int i = r.nextInt((int) w.size());
                    double numeric = FiniteDifference.slope(w, i, 1e-2, () -> loss(net, m, batch, rows));
                    assertThat((double) grad[i]).as("%s[%d]", name, i)
                            .isCloseTo(numeric, FiniteDifference.tolerance(numeric, loss0, 1e-2));
                    checked++;
                    if (Math.abs(numeric) > 1e-3) {
                        significant++;
                    }
                }
            }
            assertThat(checked).isGreaterThanOrEqualTo(15);
            assertThat(significant).as("checks where the slope is well above the quotient's noise")
                    .isGreaterThanOrEqualTo(checked / 2);
        }
    }

    @Test
    void aModelRefusesFeaturesOfTheWrongKind() {
        ModelSpec spec = ModelSpec.defaults().withSizes(5, 7).withDropout(0f);
        assertThatThrownBy(() -> ModelConfig.of(spec.withArchitecture(Architecture.ATTENTION), VOCAB, 8,
                new ModelConfig.EncoderInfo("test", 24, 32, "sha", null), null))
                .hasMessageContaining("a attention model reads grid features, but encoder.grid says pooled");
        assertThatThrownBy(() -> ModelConfig.of(spec.withArchitecture(Architecture.MERGE), VOCAB, 8,
                new ModelConfig.EncoderInfo("test", 24, 32, "sha", null, GRID), null))
                .hasMessageContaining("merge model reads pooled features");
    }
}
