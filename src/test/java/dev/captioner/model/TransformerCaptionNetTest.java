package dev.captioner.model;

import dev.captioner.train.Objective;
import dev.captioner.train.NextWordLoss;
import dev.captioner.train.CaptionExample;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.captioner.data.Vocabulary;
import dev.captioner.decode.Caption;
import dev.captioner.decode.CaptionDecoder;
import dev.captioner.decode.DecodeSpec;
import dev.captioner.features.FeatureRows;
import dev.captioner.testutil.FiniteDifference;
import dev.captioner.testutil.Tolerance;
import dev.captioner.vision.GridShape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The transformer decoder: its causal mask, its key/value cache, and its gradients. */
class TransformerCaptionNetTest {

    private static final int VOCAB = 11;
    private static final GridShape GRID = new GridShape(2, 3, 4);
    /**
     * The longest chain of float32 sums in a forward pass of the test's network: per layer,
     * attention over at most 9 positions and 6 locations and products over width 8 and
     * feed-forward 12 (about 35 terms), two layers, and the output's 8 (about 80 in all).
     */
    private static final int FORWARD_TERMS = 80;
    /** Backward, the same chain again, summed over the batch's 15 tokens. */
    private static final int BACKWARD_TERMS = 2 * FORWARD_TERMS * 15;

    @TempDir
    Path tmp;

    private static ModelConfig config(GridShape grid, float dropout, boolean tie) {
        return ModelConfig.of(ModelSpec.defaults().withArchitecture(Architecture.TRANSFORMER).withDropout(dropout)
                .withSettings(new ModelSpec.TransformerSpec(2, 8, 2, 12, tie, 0)), VOCAB, 9,
                new ModelConfig.EncoderInfo("test", grid == null ? 5 : grid.size(), 32, "sha", null, grid), null);
    }

    private static float[] features(int n, int dim, long seed) {
        Random r = new Random(seed);
        float[] f = new float[n * dim];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) r.nextGaussian();
        }
        return f;
    }

    @Test
    void changingAWordMovesNoPredictionBeforeIt() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager()) {
            CaptionNet net = CaptionNet.create(config(GRID, 0f, false));
            net.initialize(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray feats = m.create(features(2, GRID.size(), 1), new Shape(2, GRID.size()));
            long[] a = {1, 4, 5, 6, 7, 8, 3, 2};
            long[] b = a.clone();
            b[4] = 9; // position 4 changes
            int steps = a.length;
            int[] lengths = {steps, steps};
            NDArray positions = m.arange(2L * steps);
            float[] la = net.teacherForce(ps, feats, m.create(concat(a, a), new Shape(2, steps)), lengths, positions, false)
                    .logits().toFloatArray();
            float[] lb = net.teacherForce(ps, feats, m.create(concat(a, b), new Shape(2, steps)), lengths, positions, false)
                    .logits().toFloatArray();
            int row = steps * VOCAB;
            double scale = 0;
            for (float l : la) {
                scale = Math.max(scale, Math.abs(l));
            }
            for (int t = 0; t < steps; t++) {
                for (int v = 0; v < VOCAB; v++) {
                    int first = t * VOCAB + v;
                    int second = row + t * VOCAB + v;
                    assertThat(lb[first]).as("unchanged row, position %d", t).isEqualTo(la[first]);
                    if (t < 4) {
                        assertThat(lb[second]).as("position %d before the change", t).isCloseTo(la[second],
                                offset((float) (Tolerance.floatSums(FORWARD_TERMS) * scale)));
                    }
                }
            }
            double moved = 0;
            for (int v = 0; v < VOCAB; v++) {
                moved += Math.abs(lb[row + 4 * VOCAB + v] - la[row + 4 * VOCAB + v]);
            }
            assertThat(moved).as("the changed position itself moves").isGreaterThan(1e-3);
        }
    }

    private static long[] concat(long[] x, long[] y) {
        long[] out = new long[x.length + y.length];
        System.arraycopy(x, 0, out, 0, x.length);
        System.arraycopy(y, 0, out, x.length, y.length);
        return out;
    }

    private Path model(GridShape grid, long seed) {
        List<List<String>> words = new ArrayList<>();
        for (String w : List.of("startseq", "endseq", "red", "blue", "green", "circle", "square", "above", "below",
                "left")) {
            words.add(List.of(w));
        }
        Vocabulary vocab = Vocabulary.build(words, 1);
        Engine.getInstance().setRandomSeed((int) seed);
        Path dir = tmp.resolve("m" + seed + (grid == null ? "p" : "g"));
        try (NDManager m = NDManager.newBaseManager()) {
            CaptionNet net = CaptionNet.create(config(grid, 0f, true));
            net.initialize(m);
            // Sharper distributions, so that the search's choices are far apart.
            for (Pair<String, Parameter> p : net.getParameters()) {
                if (p.getKey().contains("embedding") || p.getKey().contains("output")) {
                    p.getValue().getArray().muli(40f);
                }
            }
            java.nio.file.Files.createDirectories(dir);
            new ModelDirectory(dir).write(net, vocab);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return dir;
    }

    @Test
    void theCacheGivesTheSameCaptionsScoresAndMapsAsRecomputingThePrefix() {
        for (GridShape grid : java.util.Arrays.asList(GRID, null)) {
            try (CaptionModel model = CaptionModel.load(model(grid, 17))) {
                int dim = grid == null ? 5 : grid.size();
                float[][] feats = new float[4][];
                for (int i = 0; i < feats.length; i++) {
                    feats[i] = features(1, dim, 100 + i);
                }
                CaptionDecoder decoder = new CaptionDecoder(model);
                for (int beam : new int[] {1, 3}) {
                    model.net().useCache(true);
                    List<List<Caption>> cached = decoder.decode(feats, DecodeSpec.beam(beam));
                    model.net().useCache(false);
                    List<List<Caption>> recomputed = decoder.decode(feats, DecodeSpec.beam(beam));
                    model.net().useCache(true);
                    for (int i = 0; i < feats.length; i++) {
                        assertThat(cached.get(i)).hasSameSizeAs(recomputed.get(i));
                        for (int k = 0; k < cached.get(i).size(); k++) {
                            Caption c = cached.get(i).get(k);
                            Caption r = recomputed.get(i).get(k);
                            assertThat(c.words()).as("image %d, beam %d, caption %d", i, beam, k).isEqualTo(r.words());
                            // A log-probability's error is of its logits' scale, which the
                            // model's sharpening (x40) puts near 40 per word.
                            assertThat(c.score()).isCloseTo(r.score(), offset(Tolerance.floatSums(FORWARD_TERMS) * 40
                                    * (c.words().size() + 1)));
                            if (grid == null) {
                                assertThat(c.attention()).isNull();
                            } else {
                                for (int w = 0; w < c.words().size(); w++) {
                                    float[] ca = c.attention().get(w);
                                    float[] ra = r.attention().get(w);
                                    assertThat(ca).hasSize(GRID.locations());
                                    for (int l = 0; l < ca.length; l++) {
                                        // Weights of a distribution: scale 1.
                                        assertThat(ca[l]).isCloseTo(ra[l],
                                                offset((float) Tolerance.floatSums(FORWARD_TERMS)));
                                    }
                                }
                            }
                        }
                    }
                }
                assertThat(model.attentionGrid()).isEqualTo(grid);
            }
        }
    }

    @Test
    void backpropagationThroughALayerAgreesWithFiniteDifferences() {
        Engine.getInstance().setRandomSeed(11);
        FeatureRows rows = FeatureRows.of(new float[][] {features(1, GRID.size(), 1), features(1, GRID.size(), 2)},
                GRID.size());
        List<CaptionExample> batch = List.of(new CaptionExample(0, new int[] {1, 4, 5, 6, 2}),
                new CaptionExample(1, new int[] {1, 7, 8, 2}), new CaptionExample(0, new int[] {1, 9, 10, 4, 5, 2}));
        try (NDManager m = NDManager.newBaseManager()) {
            CaptionNet net = CaptionNet.create(config(GRID, 0f, false));
            net.initialize(m);
            for (Pair<String, Parameter> p : net.getParameters()) {
                p.getValue().getArray().setRequiresGradient(true);
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(NextWordLoss.targets(net, new ParameterStore(m, false), m, batch, rows, Objective.SEQUENCE,
                        true).loss());
            }
            double loss0 = loss(net, m, batch, rows);
            Random r = new Random(5);
            int checked = 0;
            int significant = 0;
            for (Pair<String, Parameter> p : net.getParameters()) {
                // One layer: every block of the second decoder layer.
                if (!p.getKey().contains("layer1.")) {
                    continue;
                }
                NDArray w = p.getValue().getArray();
                float[] grad = w.getGradient().toFloatArray();
                for (int trial = 0; trial < 2; trial++) {
                    int i = r.nextInt((int) w.size());
                    double numeric = FiniteDifference.slope(w, i, 1e-2, () -> loss(net, m, batch, rows));
                    assertThat((double) grad[i]).as("%s[%d]", p.getKey(), i)
                            .isCloseTo(numeric, FiniteDifference.tolerance(numeric, loss0, 1e-2));
                    checked++;
                    if (Math.abs(numeric) > 1e-3) {
                        significant++;
                    }
                }
            }
            assertThat(checked).isGreaterThanOrEqualTo(20);
            assertThat(significant).isGreaterThanOrEqualTo(checked / 3);
        }
    }

    @Test
    void attendingThroughTheWeightsGivesTheSameLossAndGradientsAsTheMemorysKeysAndValues() {
        FeatureRows rows = FeatureRows.of(new float[][] {features(1, GRID.size(), 3), features(1, GRID.size(), 4)},
                GRID.size());
        List<CaptionExample> batch = List.of(new CaptionExample(0, new int[] {1, 4, 5, 6, 2}),
                new CaptionExample(1, new int[] {1, 7, 8, 2}), new CaptionExample(1, new int[] {1, 9, 10, 4, 5, 2}));
        List<Map<String, float[]>> gradients = new ArrayList<>();
        List<float[]> logits = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            for (boolean throughWeights : new boolean[] {false, true}) {
                Engine.getInstance().setRandomSeed(17);
                TransformerCaptionNet net = (TransformerCaptionNet) CaptionNet.create(config(GRID, 0f, false));
                net.initialize(m);
                net.forceAttendThroughWeights(throughWeights);
                for (Pair<String, Parameter> p : net.getParameters()) {
                    p.getValue().getArray().setRequiresGradient(true);
                }
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NextWordLoss.Targets t = NextWordLoss.targets(net, new ParameterStore(m, false), m, batch, rows,
                            Objective.SEQUENCE, true);
                    logits.add(t.targetLogProbs().toFloatArray());
                    gc.backward(t.loss());
                }
                Map<String, float[]> g = new LinkedHashMap<>();
                for (Pair<String, Parameter> p : net.getParameters()) {
                    g.put(p.getKey(), p.getValue().getArray().getGradient().toFloatArray());
                }
                gradients.add(g);
            }
        }
        // Two association orders of the same products: equal up to summation order.
        Tolerance.assertClose(logits.get(1), logits.get(0), Tolerance.floatSums(FORWARD_TERMS), "log-probabilities");
        double largest = 0;
        for (Map.Entry<String, float[]> e : gradients.get(0).entrySet()) {
            float[] other = gradients.get(1).get(e.getKey());
            Tolerance.assertClose(other, e.getValue(), Tolerance.floatSums(BACKWARD_TERMS), e.getKey());
            for (float g : other) {
                largest = Math.max(largest, Math.abs(g));
            }
        }
        assertThat(largest).as("gradients that are not all zero").isGreaterThan(1e-2);
        float[] keyValueWeights = gradients.get(1).entrySet().stream()
                .filter(e -> e.getKey().contains("layer0.crossKeyValue") && e.getKey().endsWith("weight"))
                .findFirst().orElseThrow().getValue();
        assertThat(keyValueWeights).as("the key and value weights learn").isNotEqualTo(new float[keyValueWeights.length]);
    }

    private static double loss(CaptionNet net, NDManager m, List<CaptionExample> batch, FeatureRows rows) {
        try (NDManager s = m.newSubManager()) {
            return NextWordLoss.targets(net, new ParameterStore(s, false), s, batch, rows, Objective.SEQUENCE, false)
                    .loss().getFloat();
        }
    }
}
