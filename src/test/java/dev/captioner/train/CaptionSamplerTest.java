package dev.captioner.train;

import dev.captioner.model.ModelSpec;
import dev.captioner.model.ModelConfig;
import dev.captioner.model.CaptionNet;
import dev.captioner.model.Architecture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.captioner.data.Cleaning;
import dev.captioner.data.Vocabulary;
import dev.captioner.util.Torch;
import dev.captioner.vision.FeatureKind;
import dev.captioner.vision.GridShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Samples drawn by {@link CaptionSampler} follow the network's own distribution. */
class CaptionSamplerTest {

    private static final List<String> WORDS = List.of("startseq", "endseq", "red", "blue", "circle", "square");

    private static Vocabulary vocabulary() {
        List<List<String>> captions = new ArrayList<>();
        for (String w : WORDS) {
            captions.add(List.of(w));
        }
        return Vocabulary.build(captions, 1);
    }

    private static CaptionNet net(Architecture a, Vocabulary vocab, NDManager m) {
        boolean grid = a.features() == FeatureKind.GRID;
        ModelConfig config = ModelConfig.of(ModelSpec.defaults().withArchitecture(a).withSizes(6, 8).withDropout(0f)
                .withSettingsFrom(new ModelSpec.AttentionSpec(5, 1f),
                        new ModelSpec.TransformerSpec(2, 8, 2, 16, false, 0)), vocab.size(), 8,
                new ModelConfig.EncoderInfo("test", 4, 32, "sha", null, grid ? new GridShape(2, 1, 2) : null), null);
        Engine.getInstance().setRandomSeed(7);
        CaptionNet net = CaptionNet.create(config);
        net.initialize(m);
        for (Pair<String, Parameter> p : net.getParameters()) {
            p.getValue().getArray().muli(3f); // an uneven distribution, so a wrong sampler shows
        }
        return net;
    }

    /**
     * 6,000 samples of the first and second word of one image against the probabilities the
     * network's step gives (the banned markers renormalised away): Pearson's chi-square stays
     * under the 0.1 % critical value. The second word is checked conditionally on the first.
     */
    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"MERGE", "TRANSFORMER"})
    void samplesFollowTheModelsProbabilities(Architecture a) {
        Vocabulary vocab = vocabulary();
        try (NDManager m = NDManager.newBaseManager()) {
            CaptionNet net = net(a, vocab, m);
            ParameterStore ps = new ParameterStore(m, false);
            CaptionSampler sampler = new CaptionSampler(net, vocab);
            NDArray feature = m.create(new float[] {0.5f, -1f, 2f, 0.3f}, new Shape(1, 4));
            int n = 6000;
            int[][] samples = sampler.sample(ps, m, feature, n, 4, new Random(11));
            int v = vocab.size();
            // First word.
            double[] p1 = probabilities(net, ps, m, feature, new long[] {sampler.start()}, vocab);
            long[] counts = new long[v];
            for (int[] s : samples) {
                counts[s[0]]++;
            }
            assertThat(chiSquare(counts, p1, n)).as("first word").isLessThan(critical(p1));
            // Second word after the most frequent first word (when that word did not end the caption).
            int first = 0;
            for (int t = 0; t < v; t++) {
                if (t != sampler.end() && counts[t] > counts[first]) {
                    first = t;
                }
            }
            double[] p2 = probabilities(net, ps, m, feature, new long[] {sampler.start(), first}, vocab);
            long[] counts2 = new long[v];
            int n2 = 0;
            for (int[] s : samples) {
                if (s[0] == first) {
                    counts2[s[1]]++;
                    n2++;
                }
            }
            assertThat(n2).isGreaterThan(500);
            assertThat(chiSquare(counts2, p2, n2)).as("second word").isLessThan(critical(p2));
            for (int[] s : samples) {
                for (int t : s) {
                    assertThat(t).as("never a banned token").isNotIn(Vocabulary.PAD, sampler.start());
                }
                assertThat(s.length).isBetween(1, 4);
                // A caption ends where the end marker was drawn; one that reached the limit without
                // it has none, rather than a marker that was never drawn.
                for (int i = 0; i < s.length - 1; i++) {
                    assertThat(s[i]).isNotEqualTo(sampler.end());
                }
                if (s[s.length - 1] != sampler.end()) {
                    assertThat(s.length).as("no end: only at the limit").isEqualTo(4);
                }
            }
        }
    }

    /** The greedy caption takes the most probable word at every step. */
    @ParameterizedTest
    @EnumSource(value = Architecture.class, names = {"MERGE", "ATTENTION", "TRANSFORMER"})
    void greedyTakesTheMostProbableWord(Architecture a) {
        Vocabulary vocab = vocabulary();
        try (NDManager m = NDManager.newBaseManager()) {
            CaptionNet net = net(a, vocab, m);
            ParameterStore ps = new ParameterStore(m, false);
            CaptionSampler sampler = new CaptionSampler(net, vocab);
            NDArray feature = m.create(new float[] {0.5f, -1f, 2f, 0.3f}, new Shape(1, 4));
            int[] greedy = sampler.greedy(ps, m, feature, 5)[0];
            assertThat(greedy.length).isBetween(1, 5);
            long[] prefix = {sampler.start()};
            // Every token is the most probable one, the last included: nothing is forced at the limit.
            for (int t : greedy) {
                double[] p = probabilities(net, ps, m, feature, prefix, vocab);
                int best = 0;
                for (int w = 0; w < p.length; w++) {
                    best = p[w] > p[best] ? w : best;
                }
                assertThat(t).isEqualTo(best);
                prefix = java.util.Arrays.copyOf(prefix, prefix.length + 1);
                prefix[prefix.length - 1] = t;
            }
        }
    }

    /** The next-word distribution after a prefix, by a full teacher-forced pass, banned tokens removed. */
    private static double[] probabilities(CaptionNet net, ParameterStore ps, NDManager m, NDArray feature, long[] prefix,
            Vocabulary vocab) {
        Torch.noGrad();
        try (NDManager s = m.newSubManager()) {
            NDArray tokens = s.create(prefix, new Shape(1, prefix.length));
            NDArray logits = net.teacherForce(ps, feature, tokens, new int[] {prefix.length},
                    s.create(new long[] {prefix.length - 1}), false).logits();
            float[] p = logits.softmax(1).toFloatArray();
            double[] out = new double[p.length];
            double sum = 0;
            for (int w = 0; w < p.length; w++) {
                boolean banned = w == Vocabulary.PAD || w == vocab.index(Cleaning.START)
                        || vocab.hasUnk() && w == vocab.index(Vocabulary.UNK);
                out[w] = banned ? 0 : p[w];
                sum += out[w];
            }
            for (int w = 0; w < p.length; w++) {
                out[w] /= sum;
            }
            return out;
        }
    }

    private static double chiSquare(long[] counts, double[] p, int n) {
        double chi = 0;
        for (int w = 0; w < p.length; w++) {
            if (p[w] > 0) {
                double e = n * p[w];
                chi += (counts[w] - e) * (counts[w] - e) / e;
            } else {
                assertThat(counts[w]).as("word %d has probability 0", w).isZero();
            }
        }
        return chi;
    }

    /** The 0.1 % critical value of chi-square for (words with probability > 0) - 1 degrees of freedom. */
    private static double critical(double[] p) {
        int df = -1;
        for (double x : p) {
            df += x > 0 ? 1 : 0;
        }
        // Upper 0.1 % points of the chi-square distribution, df 1..8 (statistical tables).
        double[] table = {10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32, 26.12};
        return table[df - 1];
    }

    /**
     * A transformer whose end marker is never likely (its logit forced down): every sample runs
     * to the limit its positions allow, has no end marker, and the gradient pass over those
     * samples stays within the positions. The old sampler added an end marker at the limit and
     * needed one position more, which threw mid-run.
     */
    @Test
    void samplesThatNeverEndStopAtTheTransformersPositionsWithoutAnEndMarker() {
        Vocabulary vocab = vocabulary();
        try (NDManager m = NDManager.newBaseManager()) {
            CaptionNet net = net(Architecture.TRANSFORMER, vocab, m);
            CaptionSampler sampler = new CaptionSampler(net, vocab);
            for (Pair<String, Parameter> p : net.getParameters()) {
                if (p.getKey().toLowerCase(java.util.Locale.ROOT).contains("output")
                        && p.getKey().toLowerCase(java.util.Locale.ROOT).endsWith("bias")) {
                    p.getValue().getArray().set(new ai.djl.ndarray.index.NDIndex(sampler.end()), -1e4f);
                }
            }
            CaptionLengths lengths = CaptionLengths.of(net.config(), net, 0);
            assertThat(lengths.sampled()).as("the default capped at the positions").isEqualTo(net.positions())
                    .isEqualTo(8);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray feature = m.create(new float[] {0.5f, -1f, 2f, 0.3f, 1f, 0f, -0.5f, 0.2f}, new Shape(2, 4));
            int[][] samples = sampler.sample(ps, m, feature, 3, lengths.sampled(), new Random(3));
            List<CaptionExample> examples = new java.util.ArrayList<>();
            for (int r = 0; r < samples.length; r++) {
                assertThat(samples[r]).hasSize(8).doesNotContain(sampler.end());
                int[] tokens = new int[samples[r].length + 1];
                tokens[0] = sampler.start();
                System.arraycopy(samples[r], 0, tokens, 1, samples[r].length);
                examples.add(new CaptionExample(r / 3, tokens));
            }
            float[] f = feature.toFloatArray();
            NDArray logp = NextWordLoss.targets(net, ps, m, examples,
                    dev.captioner.features.FeatureRows.of(new float[][] {java.util.Arrays.copyOfRange(f, 0, 4),
                        java.util.Arrays.copyOfRange(f, 4, 8)}, 4), Objective.SEQUENCE, false, sampler.bannedMask(m))
                    .targetLogProbs();
            assertThat(logp.getShape().get(0)).as("one log-probability per sampled token").isEqualTo(6 * 8);
            assertThatThrownBy(() -> CaptionLengths.of(net.config(), net, 8))
                    .hasMessageContaining("--max-length 8").hasMessageContaining("positions for 8 tokens")
                    .hasMessageContaining("at most 7 words");
            assertThat(CaptionLengths.of(net.config(), net, 7).sampled()).isEqualTo(8);
            assertThat(CaptionLengths.of(net.config(), net, 0).scored()).as("evaluate's rule").isEqualTo(7);
        }
    }

    /**
     * The gradient's log-probabilities are those of the distribution samples come from: with the
     * never-drawn tokens masked out, each target's probability is renormalised over the others.
     */
    @Test
    void maskedLogProbabilitiesAreThoseOfTheSamplingDistribution() {
        Vocabulary vocab = vocabulary();
        try (NDManager m = NDManager.newBaseManager()) {
            CaptionNet net = net(Architecture.MERGE, vocab, m);
            CaptionSampler sampler = new CaptionSampler(net, vocab);
            ParameterStore ps = new ParameterStore(m, false);
            List<CaptionExample> one = List.of(new CaptionExample(0, new int[] {sampler.start(), 3, 4, sampler.end()}));
            dev.captioner.features.FeatureRows rows = dev.captioner.features.FeatureRows.of(
                    new float[][] {{0.5f, -1f, 2f, 0.3f}}, 4);
            float[] plain = NextWordLoss.targets(net, ps, m, one, rows, Objective.SEQUENCE, false).targetLogProbs()
                    .toFloatArray();
            float[] masked = NextWordLoss.targets(net, ps, m, one, rows, Objective.SEQUENCE, false, sampler.bannedMask(m))
                    .targetLogProbs().toFloatArray();
            float[] all = NextWordLoss.logProbs(net, ps, m, one, rows, Objective.SEQUENCE, false).toFloatArray();
            int v = vocab.size();
            for (int i = 0; i < plain.length; i++) {
                // log p(target) - log Σ p(allowed): the allowed mass summed in double, from the log scale.
                double max = Double.NEGATIVE_INFINITY;
                for (int w = 0; w < v; w++) {
                    if (w != Vocabulary.PAD && w != sampler.start()) {
                        max = Math.max(max, all[i * v + w]);
                    }
                }
                double sum = 0;
                for (int w = 0; w < v; w++) {
                    if (w != Vocabulary.PAD && w != sampler.start()) {
                        sum += Math.exp(all[i * v + w] - max);
                    }
                }
                double expected = plain[i] - (max + Math.log(sum));
                // float32 log-softmax: its error is of the logits' scale, not of the (perhaps tiny) result.
                assertThat((double) masked[i]).as("prediction %d", i).isCloseTo(expected, org.assertj.core.data.Offset
                        .offset(dev.captioner.testutil.Tolerance.floatSums(v + 64) * (1 + Math.abs(max))));
            }
        }
    }
}
