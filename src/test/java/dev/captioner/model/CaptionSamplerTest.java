package dev.captioner.model;

import static org.assertj.core.api.Assertions.assertThat;

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
                .withAttention(new ModelSpec.AttentionSettings(5, 1f))
                .withTransformer(new ModelSpec.TransformerSettings(2, 8, 2, 16, false, 0)), vocab.size(), 8,
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
            int[][] samples = sampler.sample(ps, m, feature, n, 3, new Random(11));
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
                assertThat(s.length == 4 ? s[3] : sampler.end()).as("a caption of 3 words then ends")
                        .isEqualTo(sampler.end());
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
            assertThat(greedy.length).isBetween(1, 6);
            long[] prefix = {sampler.start()};
            // After 5 words the caption is ended, whatever the network prefers.
            for (int t : java.util.Arrays.copyOf(greedy, Math.min(greedy.length, 5))) {
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
}
