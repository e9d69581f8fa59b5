package dev.captioner.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.captioner.data.Cleaning;
import dev.captioner.data.Vocabulary;
import dev.captioner.model.Architecture;
import dev.captioner.model.CaptionModel;
import dev.captioner.model.CaptionNet;
import dev.captioner.model.ModelConfig;
import dev.captioner.model.ModelDirectory;
import dev.captioner.model.ModelSpec;
import dev.captioner.vision.FeatureKind;
import dev.captioner.vision.GridShape;
import dev.captioner.testutil.Tolerance;
import dev.captioner.util.CaptionerException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decoding on tiny random models, checked against brute force: every caption the model could
 * write is enumerated and scored with full forward passes, independent of the step-by-step
 * decoder.
 */
class CaptionDecoderTest {

    @TempDir
    Path tmp;

    /** Vocabulary: startseq, endseq, a, b, c (indices 1..5). */
    private static final List<String> WORDS = List.of("startseq", "endseq", "red", "blue", "circle");

    /**
     * A log-probability's float32 error is of its logits' scale at each step (about 1 in these
     * randomly initialised models, plus the log-probability's own), through chains of about 200
     * terms (the 8-wide embedding, the 6-wide state or 16-wide feed-forward, the vocabulary).
     */
    private static org.assertj.core.data.Offset<Double> logProbTolerance(Caption c, double expected) {
        int steps = c.words().size() + 1;
        return offset(Tolerance.floatSums(200) * (steps + Math.abs(expected)));
    }

    private CaptionModel model(Architecture a, int maxLength, long seed, float endBias) throws Exception {
        Path dir = tmp.resolve(a.id() + seed + "_" + maxLength + "_" + endBias);
        List<List<String>> captions = new ArrayList<>();
        for (String w : WORDS) {
            captions.add(List.of(w));
        }
        Vocabulary vocab = Vocabulary.build(captions, 1);
        boolean grid = a.features() == FeatureKind.GRID;
        ModelConfig config = ModelConfig.of(ModelSpec.defaults().withArchitecture(a).withSizes(6, 8).withDropout(0f)
                .withSettingsFrom(new ModelSpec.AttentionSpec(5, 1f),
                        new ModelSpec.TransformerSpec(2, 8, 2, 16, false, 0)), vocab.size(), maxLength,
                new ModelConfig.EncoderInfo("test", 4, 32, "sha", null, grid ? new GridShape(2, 1, 2) : null), null);
        Engine.getInstance().setRandomSeed((int) seed);
        // The weights are changed in place below, which autograd refuses while a training test
        // run earlier on this thread left gradients on.
        dev.captioner.util.Torch.noGrad();
        try (NDManager m = NDManager.newBaseManager()) {
            CaptionNet net = CaptionNet.create(config);
            net.initialize(m);
            for (Pair<String, Parameter> p : net.getParameters()) {
                NDArray w = p.getValue().getArray();
                w.muli(6f); // sharpen the random distributions so that search matters
                if (p.getKey().contains("output") && p.getKey().contains("bias")) {
                    float[] b = new float[(int) w.size()];
                    b[vocab.index("endseq")] = endBias;
                    try (NDArray add = m.create(b)) {
                        w.addi(add);
                    }
                }
            }
            java.nio.file.Files.createDirectories(dir);
            new ModelDirectory(dir).write(net, vocab);
        }
        return CaptionModel.load(dir);
    }

    /** Log-probability of a whole token sequence by one full forward pass. */
    private static double logProb(CaptionModel model, float[] feature, int[] tokens) {
        try (NDManager m = model.manager().newSubManager()) {
            CaptionNet net = model.net();
            ParameterStore ps = new ParameterStore(m, false);
            long[] in = new long[tokens.length - 1];
            for (int i = 0; i < in.length; i++) {
                in[i] = tokens[i];
            }
            NDArray logits = net.forward(ps, new NDList(m.create(feature, new Shape(1, feature.length)),
                    m.create(in, new Shape(1, in.length))), false).singletonOrThrow();
            float[] lp = logits.logSoftmax(2).toFloatArray();
            int v = model.config().vocabularySize();
            double sum = 0;
            for (int i = 1; i < tokens.length; i++) {
                sum += lp[(i - 1) * v + tokens[i]];
            }
            return sum;
        }
    }

    /** Every finished caption of up to maxLength tokens, with its log-probability. */
    private static List<double[]> enumerate(CaptionModel model, float[] feature) {
        Vocabulary v = model.vocabulary();
        int start = v.index("startseq");
        int end = v.index("endseq");
        List<Integer> words = new ArrayList<>();
        for (String w : WORDS.subList(2, WORDS.size())) {
            words.add(v.index(w));
        }
        List<double[]> out = new ArrayList<>();
        List<int[]> prefixes = new ArrayList<>(List.of(new int[] {start}));
        for (int len = 1; len < model.config().maxLength(); len++) {
            List<int[]> next = new ArrayList<>();
            for (int[] p : prefixes) {
                int[] ended = java.util.Arrays.copyOf(p, p.length + 1);
                ended[p.length] = end;
                out.add(new double[] {logProb(model, feature, ended), p.length - 1});
                for (int w : words) {
                    int[] q = java.util.Arrays.copyOf(p, p.length + 1);
                    q[p.length] = w;
                    next.add(q);
                }
            }
            prefixes = next;
        }
        return out;
    }

    @Test
    void aWideBeamFindsTheMostProbableCaptionAndScoresAreTrueLogProbabilities() throws Exception {
        for (Architecture a : Architecture.values()) {
            try (CaptionModel model = model(a, 5, 4, 0f)) {
                CaptionDecoder decoder = new CaptionDecoder(model);
                float[] feature = {0.5f, -1f, 2f, 0.1f};
                double best = enumerate(model, feature).stream().mapToDouble(d -> d[0]).max().orElseThrow();
                Caption wide = decoder.decode(new float[][] {feature}, DecodeSpec.beam(20)).get(0).get(0);
                assertThat(wide.finished()).isTrue();
                assertThat(wide.logProb()).as(a.id()).isCloseTo(best, logProbTolerance(wide, best));
                Caption greedy = decoder.decode(new float[][] {feature}, DecodeSpec.greedy()).get(0).get(0);
                int[] tokens = tokens(model, greedy);
                double expected = logProb(model, feature, tokens);
                assertThat(greedy.logProb()).isCloseTo(expected, logProbTolerance(greedy, expected));
                if (greedy.finished()) {
                    // A finished greedy caption is one of those enumerated: the wide beam found the best.
                    assertThat(wide.logProb()).isGreaterThanOrEqualTo(greedy.logProb() - 1e-4);
                }
            }
        }
    }

    @Test
    void greedyTakesTheMostProbableWordAtEachStep() throws Exception {
        try (CaptionModel model = model(Architecture.MERGE, 6, 9, 0f)) {
            float[] feature = {1f, 0f, -0.5f, 0.3f};
            Caption greedy = new CaptionDecoder(model).decode(new float[][] {feature}, DecodeSpec.greedy()).get(0).get(0);
            // Rebuild it by brute force: at each step the argmax over full-forward distributions.
            Vocabulary v = model.vocabulary();
            List<Integer> seq = new ArrayList<>(List.of(v.index("startseq")));
            while (seq.size() < model.config().maxLength()) {
                int bestToken = -1;
                double bestLp = Double.NEGATIVE_INFINITY;
                for (int t = 1; t < v.size(); t++) {
                    if (t == v.index("startseq")) {
                        continue;
                    }
                    int[] cand = seq.stream().mapToInt(Integer::intValue).toArray();
                    cand = java.util.Arrays.copyOf(cand, cand.length + 1);
                    cand[cand.length - 1] = t;
                    double lp = logProb(model, feature, cand);
                    if (lp > bestLp) {
                        bestLp = lp;
                        bestToken = t;
                    }
                }
                seq.add(bestToken);
                if (bestToken == v.index("endseq")) {
                    break;
                }
            }
            List<String> expected = new ArrayList<>();
            for (int t : seq) {
                if (!Cleaning.isMarker(v.word(t))) {
                    expected.add(v.word(t));
                }
            }
            assertThat(greedy.words()).isEqualTo(expected);
        }
    }

    @Test
    void withoutAnEndMarkerTheBestUnfinishedCaptionIsReturned() throws Exception {
        try (CaptionModel model = model(Architecture.MERGE, 6, 2, -50f)) {
            List<List<Caption>> out = new CaptionDecoder(model).decode(
                    new float[][] {{1, 2, 3, 4}, {0, 0, 0, 0}}, new DecodeSpec(3, 4, 0));
            for (List<Caption> image : out) {
                assertThat(image).hasSize(3).allMatch(c -> !c.finished());
                assertThat(image.get(0).words()).hasSize(3).noneMatch(Cleaning::isMarker);
                assertThat(image.get(0).score()).isGreaterThanOrEqualTo(image.get(2).score());
            }
        }
    }

    @Test
    void batchedDecodingEqualsOneImageAtATime() throws Exception {
        for (Architecture a : Architecture.values()) {
            try (CaptionModel model = model(a, 6, 5, 0f)) {
                CaptionDecoder d = new CaptionDecoder(model);
                float[][] features = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0.3f, -2, 1, 0}};
                List<List<Caption>> batch = d.decode(features, DecodeSpec.beam(3));
                for (int i = 0; i < features.length; i++) {
                    List<Caption> one = d.decode(new float[][] {features[i]}, DecodeSpec.beam(3)).get(0);
                    assertThat(batch.get(i).get(0).words()).as(a.id() + " image " + i).isEqualTo(one.get(0).words());
                    // A batch's other products round differently.
                    double expected = one.get(0).score();
                    assertThat(batch.get(i).get(0).score()).isCloseTo(expected, logProbTolerance(one.get(0), expected));
                }
            }
        }
    }

    @Test
    void lengthPenaltyAndOptionsAreValidated() throws Exception {
        assertThatThrownBy(() -> new DecodeSpec(0, 0, 0)).hasMessageContaining("beam must be between 1");
        assertThatThrownBy(() -> new DecodeSpec(2, 1, 0)).hasMessageContaining("max length");
        try (CaptionModel model = model(Architecture.MERGE, 6, 7, 0f)) {
            Caption c = new CaptionDecoder(model).decode(new float[][] {{1, 1, 1, 1}}, new DecodeSpec(3, 0, 1.0))
                    .get(0).get(0);
            int n = c.words().size() + (c.finished() ? 1 : 0);
            double expected = c.logProb() / ((5.0 + n) / 6.0);
            assertThat(c.score()).isCloseTo(expected, Tolerance.relative(expected, Tolerance.doubleSums(4)));
        }
    }

    @Test
    void beamOneIsGreedyForEveryImageAndArchitecture() throws Exception {
        float[][] features = {{1, 0, -1, 0.5f}, {0, 2, 0, -1}, {-0.5f, 0.2f, 0.9f, 0}};
        for (Architecture a : Architecture.values()) {
            try (CaptionModel model = model(a, 6, 11, 0f)) {
                CaptionDecoder d = new CaptionDecoder(model);
                List<List<Caption>> beamOne = d.decode(features, DecodeSpec.beam(1));
                for (int i = 0; i < features.length; i++) {
                    assertThat(beamOne.get(i)).hasSize(1);
                    assertThat(beamOne.get(i).get(0).words()).as(a.id() + " image " + i)
                            .isEqualTo(stepwiseArgmax(model, features[i]));
                }
            }
        }
    }

    @Test
    void aLengthLimitBeyondTheTransformersPositionsIsRefusedNamingBothNumbers() throws Exception {
        float[][] features = {{1, 0, -1, 0.5f}};
        // A strongly negative end bias: captions run to the limit, so every position is read.
        try (CaptionModel model = model(Architecture.TRANSFORMER, 6, 11, -50f)) {
            CaptionDecoder d = new CaptionDecoder(model);
            int positions = model.net().positions();
            Caption longest = d.decode(features, new DecodeSpec(2, positions + 1, 0)).get(0).get(0);
            assertThat(longest.finished()).isFalse();
            assertThat(longest.tokens()).hasSize(positions + 1);
            assertThatThrownBy(() -> d.decode(features, new DecodeSpec(1, positions + 2, 0)))
                    .isInstanceOf(CaptionerException.class)
                    .hasMessageContaining("--max-length " + (positions + 2))
                    .hasMessageContaining("positions for " + positions + " tokens");
        }
        try (CaptionModel model = model(Architecture.MERGE, 6, 11, -50f)) {
            assertThat(new CaptionDecoder(model).decode(features, new DecodeSpec(1, 40, 0)).get(0).get(0).tokens())
                    .hasSize(40);
        }
    }

    /** Greedy by brute force: at each step the most probable next token under a full forward pass. */
    private static List<String> stepwiseArgmax(CaptionModel model, float[] feature) {
        Vocabulary v = model.vocabulary();
        List<Integer> seq = new ArrayList<>(List.of(v.index("startseq")));
        while (seq.size() < model.config().maxLength()) {
            int best = -1;
            double bestLp = Double.NEGATIVE_INFINITY;
            for (int t = 1; t < v.size(); t++) {
                if (t == v.index("startseq")) {
                    continue;
                }
                int[] cand = java.util.stream.Stream.concat(seq.stream(), java.util.stream.Stream.of(t))
                        .mapToInt(Integer::intValue).toArray();
                double lp = logProb(model, feature, cand);
                if (lp > bestLp) {
                    bestLp = lp;
                    best = t;
                }
            }
            seq.add(best);
            if (best == v.index("endseq")) {
                break;
            }
        }
        return seq.stream().map(v::word).filter(w -> !Cleaning.isMarker(w)).toList();
    }

    @Test
    void aLengthPenaltyChangesWhichCaptionWins() throws Exception {
        // Search a few seeded models for an image whose best caption by log-probability is
        // shorter than its best by GNMT-normalised score: the penalty must then change the winner.
        boolean changed = false;
        for (long seed = 1; seed <= 12 && !changed; seed++) {
            try (CaptionModel model = model(Architecture.MERGE, 5, seed, 1.5f)) {
                CaptionDecoder d = new CaptionDecoder(model);
                float[] feature = {0.5f, -1f, 2f, 0.1f};
                Caption plain = d.decode(new float[][] {feature}, new DecodeSpec(10, 0, 0)).get(0).get(0);
                Caption penalised = d.decode(new float[][] {feature}, new DecodeSpec(10, 0, 3.0)).get(0).get(0);
                if (!plain.words().equals(penalised.words())) {
                    changed = true;
                    assertThat(penalised.words().size()).isGreaterThan(plain.words().size());
                    assertThat(penalised.logProb()).isLessThan(plain.logProb());
                    int n = penalised.words().size() + (penalised.finished() ? 1 : 0);
                    double expected = penalised.logProb() / Math.pow((5.0 + n) / 6.0, 3.0);
                    assertThat(penalised.score()).isCloseTo(expected, Tolerance.relative(expected, Tolerance.doubleSums(8)));
                }
            }
        }
        assertThat(changed).as("a model where the length penalty changes the ranking").isTrue();
    }

    @Test
    void anEmptyBatchGivesNoCaptions() throws Exception {
        try (CaptionModel model = model(Architecture.MERGE, 6, 3, 0f)) {
            assertThat(new CaptionDecoder(model).decode(new float[0][], DecodeSpec.beam(3))).isEmpty();
        }
    }

    @Test
    void aLengthLimitOfTwoTokensAllowsOneWord() throws Exception {
        for (int beam : new int[] {1, 3}) {
            try (CaptionModel model = model(Architecture.INIT_INJECT, 6, 4, -50f)) {
                List<Caption> out = new CaptionDecoder(model).decode(new float[][] {{1, 2, 3, 4}},
                        new DecodeSpec(beam, 2, 0)).get(0);
                assertThat(out).isNotEmpty().allMatch(c -> c.words().size() == 1 && !c.finished());
                // The one word is the most probable first word.
                assertThat(out.get(0).words()).isEqualTo(stepwiseArgmax(model, new float[] {1, 2, 3, 4}).subList(0, 1));
            }
        }
    }

    @Test
    void captionsOfAModelWithAttentionMapsCarryOneMapPerWordThatSumsToOne() throws Exception {
        for (Architecture a : Architecture.values()) {
            if (!a.attentionMaps()) {
                continue;
            }
            try (CaptionModel model = model(a, 6, 21, 0f)) {
                for (int beam : new int[] {1, 3}) {
                    List<Caption> out = new CaptionDecoder(model).decode(new float[][] {{1, -2, 0.5f, 3}},
                            DecodeSpec.beam(beam)).get(0);
                    for (Caption c : out) {
                        assertThat(c.attention()).as(a.id()).hasSameSizeAs(c.words());
                        for (float[] alpha : c.attention()) {
                            assertThat(alpha).hasSize(2);
                            assertThat(alpha[0] + alpha[1]).isCloseTo(1f, Tolerance.relative(1f, Tolerance.floatSums(3)));
                        }
                    }
                }
            }
        }
        try (CaptionModel merge = model(Architecture.MERGE, 6, 21, 0f)) {
            assertThat(new CaptionDecoder(merge).decode(new float[][] {{1, -2, 0.5f, 3}}, DecodeSpec.beam(2)).get(0))
                    .allMatch(c -> c.attention() == null);
        }
    }

    private static int[] tokens(CaptionModel model, Caption c) {
        Vocabulary v = model.vocabulary();
        List<Integer> t = new ArrayList<>(List.of(v.index("startseq")));
        c.words().forEach(w -> t.add(v.index(w)));
        if (c.finished()) {
            t.add(v.index("endseq"));
        }
        return t.stream().mapToInt(Integer::intValue).toArray();
    }

    /** With trigram blocking no caption repeats a trigram, where the same models without it do. */
    @Test
    void blockedTrigramsNeverRepeat() throws Exception {
        int repeatedWithout = 0;
        for (long seed = 1; seed <= 4; seed++) {
            try (CaptionModel model = model(Architecture.MERGE, 14, seed, -8f)) {
                CaptionDecoder d = new CaptionDecoder(model);
                float[][] features = {{1, 2, 3, 4}, {0, 1, 0, -1}, {-2, 0.5f, 1, 0}};
                for (int beam : new int[] {1, 3}) {
                    for (List<Caption> image : d.decode(features, new DecodeSpec(beam, 0, 0))) {
                        repeatedWithout += dev.captioner.eval.CaptionHabits.repeatsTrigram(image.get(0).words()) ? 1 : 0;
                    }
                    for (List<Caption> image : d.decode(features, new DecodeSpec(beam, 0, 0, true))) {
                        for (Caption c : image) {
                            assertThat(dev.captioner.eval.CaptionHabits.repeatsTrigram(c.words()))
                                    .as("seed %d beam %d: %s", seed, beam, c.text()).isFalse();
                        }
                    }
                }
            }
        }
        assertThat(repeatedWithout).as("captions that repeat a trigram without blocking").isPositive();
        assertThat(CaptionDecoder.repeatsTrigram(new int[] {1, 5, 6, 7, 5, 6}, 7)).isTrue();
        assertThat(CaptionDecoder.repeatsTrigram(new int[] {1, 5, 6, 7, 5}, 7)).isFalse();
    }
}
