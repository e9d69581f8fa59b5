package dev.captioner.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.captioner.data.Cleaning;
import dev.captioner.data.Vocabulary;
import dev.captioner.train.RewardMetric;
import dev.captioner.testutil.Tolerance;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The self-critical rewards are the scorers' own numbers on hand-made cases. */
class ReferenceRewardsTest {

    private static final List<List<String>> TRAIN = List.of(
            List.of("A dog runs on the grass.", "A brown dog runs on grass.", "The dog is running outside."),
            List.of("Two children play in the snow.", "Kids playing in snow.", "Two kids are playing in the snow."),
            List.of("A red circle above a blue square.", "A red circle above a blue square."));
    private static final List<List<String>> DEV = List.of(
            List.of("A dog runs on the beach.", "A dog running by the sea."),
            List.of("Children in the snow.", "Two kids play outside in snow."));

    private static final Cleaning CLEANING = Cleaning.KEEP_SHORT;

    private static Vocabulary vocabulary() {
        List<List<String>> all = new ArrayList<>();
        for (List<List<String>> split : List.of(TRAIN, DEV)) {
            for (List<String> image : split) {
                for (String c : image) {
                    all.add(CLEANING.tokens(c));
                }
            }
        }
        return Vocabulary.build(all, 1);
    }

    /** @return the tokens after the start marker, the end marker last when {@code ended} */
    private static int[] encode(Vocabulary v, String caption, boolean ended) {
        List<String> w = new ArrayList<>(CLEANING.words(caption));
        if (ended) {
            w.add(Cleaning.END);
        }
        return w.stream().mapToInt(v::index).toArray();
    }

    @Test
    void theCiderRewardIsCiderDOverTheTrainingReferencesWithTheEndMarker() {
        Vocabulary v = vocabulary();
        ReferenceRewards r = new ReferenceRewards(TRAIN, DEV, CLEANING, v, RewardMetric.CIDER_D);
        List<String> captions = List.of("A dog runs on grass.", "Two kids play in the snow.",
                "A red circle above a blue square.");
        double[] rewards = r.train(new int[] {0, 1, 2}, captions.stream().map(c -> encode(v, c, true))
                .toArray(int[][]::new));
        // The scorer's CIDEr-D of the same captions over the same references, both with the end marker.
        List<List<String>> hyps = new ArrayList<>();
        List<List<List<String>>> refs = new ArrayList<>();
        for (int i = 0; i < TRAIN.size(); i++) {
            List<String> h = new ArrayList<>(CLEANING.words(captions.get(i)));
            h.add(Cleaning.END);
            hyps.add(h);
            List<List<String>> rs = new ArrayList<>();
            for (String c : TRAIN.get(i)) {
                List<String> t = new ArrayList<>(CLEANING.words(c));
                t.add(Cleaning.END);
                rs.add(t);
            }
            refs.add(rs);
        }
        double[] expected = Cider.perImage(hyps, refs);
        for (int i = 0; i < 3; i++) {
            assertThat(rewards[i]).as("image %d", i).isCloseTo(expected[i], Tolerance.relative(expected[i], Tolerance.doubleSums(1000)));
        }
        // A caption equal to every reference of its image has cosine 1 at every order and no length penalty.
        assertThat(rewards[2]).isCloseTo(10.0, Tolerance.relative(10.0, Tolerance.doubleSums(1000)));
        // The end marker is scored: a caption cut off mid-phrase loses the references' closing n-grams.
        double cut = r.reward(encode(v, "A dog runs on the", false), 0);
        double whole = r.reward(encode(v, "A dog runs on the grass", true), 0);
        assertThat(cut).isLessThan(whole);
        assertThat(r.reward(encode(v, "A dog runs on the grass", false), 0))
                .as("the same words without the end marker").isLessThan(whole);
        // Unrelated words score nothing.
        assertThat(r.reward(encode(v, "Kids snow", true), 2)).isZero();
    }

    @Test
    void bleuAndTheSumRewardAreTheSentenceBleuOfTheSameTokens() {
        Vocabulary v = vocabulary();
        int[] c = encode(v, "A dog runs on the grass", true);
        List<String> words = new ArrayList<>(CLEANING.words("A dog runs on the grass"));
        words.add(Cleaning.END);
        List<List<String>> refs = new ArrayList<>();
        for (String s : TRAIN.get(0)) {
            List<String> t = new ArrayList<>(CLEANING.words(s));
            t.add(Cleaning.END);
            refs.add(t);
        }
        double bleu = Bleu.sentenceSmoothed(words, refs, 4);
        double cider = new ReferenceRewards(TRAIN, DEV, CLEANING, v, RewardMetric.CIDER_D).reward(c, 0);
        assertThat(new ReferenceRewards(TRAIN, DEV, CLEANING, v, RewardMetric.BLEU4).reward(c, 0)).isEqualTo(bleu);
        assertThat(new ReferenceRewards(TRAIN, DEV, CLEANING, v, RewardMetric.CIDER_D_BLEU4).reward(c, 0))
                .isCloseTo(cider + bleu, Tolerance.relative(cider + bleu, Tolerance.doubleSums(2)));
    }

    @Test
    void theDevScoreIsTheCiderDThatEvaluateReports() {
        Vocabulary v = vocabulary();
        ReferenceRewards r = new ReferenceRewards(TRAIN, DEV, CLEANING, v, RewardMetric.CIDER_D);
        List<String> captions = List.of("A dog runs on the beach", "Kids in the snow");
        double dev = r.dev(captions.stream().map(c -> encode(v, c, true)).toArray(int[][]::new));
        List<List<List<String>>> refs = DEV.stream().map(image -> image.stream().map(CLEANING::words).toList()).toList();
        assertThat(dev).isEqualTo(Cider.corpus(captions.stream().map(CLEANING::words).toList(), refs));
    }

    /**
     * Against the reference: self-critical.pytorch's CIDEr-D reward (ruotianluo/cider's
     * ciderD_scorer.py) with document frequencies over the training references, each ending with
     * the end token, for samples that ended and samples that ran to the length limit without an
     * end. Made by src/test/resources/fixtures/make_reward_fixtures.py.
     */
    @Test
    void rewardsEqualTheReferenceScorerWithTrainingDocumentFrequencies() throws Exception {
        com.fasterxml.jackson.databind.JsonNode f;
        try (java.io.InputStream in = ReferenceRewardsTest.class.getResourceAsStream("/fixtures/metrics/rewards.json")) {
            f = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
        }
        List<List<String>> train = new ArrayList<>();
        List<List<String>> all = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode refs : f.get("train")) {
            List<String> image = new ArrayList<>();
            for (com.fasterxml.jackson.databind.JsonNode r : refs) {
                image.add(r.asText());
                all.add(CLEANING.tokens(r.asText()));
            }
            train.add(image);
        }
        for (com.fasterxml.jackson.databind.JsonNode s : f.get("samples")) {
            List<String> w = new ArrayList<>();
            s.get("words").forEach(x -> w.add(x.asText()));
            all.add(w);
        }
        Vocabulary v = Vocabulary.build(all, 1);
        ReferenceRewards r = new ReferenceRewards(train, List.of(train.get(0)), CLEANING, v, RewardMetric.CIDER_D);
        int n = f.get("samples").size();
        int[] images = new int[n];
        int[][] tokens = new int[n][];
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) {
            com.fasterxml.jackson.databind.JsonNode s = f.get("samples").get(i);
            images[i] = s.get("image").asInt();
            List<String> w = new ArrayList<>();
            s.get("words").forEach(x -> w.add(x.asText()));
            if (s.get("ended").asBoolean()) {
                w.add(Cleaning.END);
            }
            tokens[i] = w.stream().mapToInt(v::index).toArray();
            expected[i] = s.get("reward").asDouble();
        }
        double[] got = r.train(images, tokens);
        for (int i = 0; i < n; i++) {
            if (expected[i] == 0) {
                assertThat(got[i]).as("sample %d", i).isZero();
            } else {
                assertThat(got[i]).as("sample %d", i).isCloseTo(expected[i],
                        Tolerance.relative(expected[i], Tolerance.doubleSums(1000)));
            }
        }
    }
}
