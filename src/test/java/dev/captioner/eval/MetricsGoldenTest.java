package dev.captioner.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captioner.testutil.Tolerance;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Metrics against the reference implementations: NLTK 3.8 (Debian's python3-nltk) for BLEU, and
 * coco-caption's scorers for CIDEr-D and ROUGE-L, via fixtures/make_metric_fixtures.py.
 */
class MetricsGoldenTest {

    static Stream<JsonNode> cases() throws Exception {
        try (InputStream in = MetricsGoldenTest.class.getResourceAsStream("/fixtures/metrics/golden.json")) {
            return StreamSupport.stream(new ObjectMapper().readTree(in).spliterator(), false);
        }
    }

    private static List<String> tokens(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(t -> out.add(t.asText()));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesNltkAndCocoCaption(JsonNode c) {
        List<List<String>> hyps = new ArrayList<>();
        c.get("hypotheses").forEach(h -> hyps.add(tokens(h)));
        List<List<List<String>>> refs = new ArrayList<>();
        c.get("references").forEach(rs -> {
            List<List<String>> l = new ArrayList<>();
            rs.forEach(r -> l.add(tokens(r)));
            refs.add(l);
        });
        JsonNode e = c.get("expected");
        for (int n = 1; n <= 4; n++) {
            golden(Bleu.corpus(hyps, refs, n), e.get("bleu" + n).asDouble(), "BLEU-" + n);
        }
        golden(Cider.corpus(hyps, refs), e.get("cider").asDouble(), "CIDEr-D");
        double[] perImage = Cider.perImage(hyps, refs);
        for (int i = 0; i < hyps.size(); i++) {
            golden(perImage[i], e.get("cider_per_image").get(i).asDouble(), "CIDEr-D " + i);
            golden(RougeL.score(hyps.get(i), refs.get(i)), e.get("rouge_l_per_image").get(i).asDouble(), "ROUGE-L " + i);
            golden(Bleu.sentenceSmoothed(hyps.get(i), refs.get(i), 4), e.get("sentence_bleu4").get(i).asDouble(), "sentence BLEU-4 " + i);
        }
        golden(RougeL.corpus(hyps, refs), e.get("rouge_l").asDouble(), "ROUGE-L");
    }

    /**
     * Python's double arithmetic in another order: logs, square roots and sums of up to a few
     * hundred n-gram terms per value (1,000 allowed); a zero stays exactly zero.
     */
    private static void golden(double actual, double expected, String what) {
        if (expected == 0) {
            assertThat(actual).as(what).isZero();
        } else {
            assertThat(actual).as(what).isCloseTo(expected, Tolerance.relative(expected, Tolerance.doubleSums(1000)));
        }
    }

    @Test
    void smallCasesWorkedByHand() {
        List<String> hyp = List.of("a", "dog", "runs");
        // Exact match: BLEU-1..3 are 1 (BLEU-4 has no 4-gram in a 3-word caption).
        assertThat(Bleu.corpus(List.of(hyp), List.of(List.of(hyp)), 3)).isEqualTo(1.0);
        // LCS("a dog runs", "a big dog") = 2: P = 2/3, R = 2/3, F = 2/3.
        assertThat(RougeL.score(hyp, List.of(List.of("a", "big", "dog")))).isCloseTo(2.0 / 3, Tolerance.relative(2.0 / 3, Tolerance.doubleSums(8)));
        assertThat(RougeL.lcs(List.of("a", "b", "c", "d"), List.of("b", "d", "a"))).isEqualTo(2);
        // One unigram of two matches, shorter than the reference (3 words): p1 = 1/2, BP = e^(1 - 3/2).
        assertThat(Bleu.corpus(List.of(List.of("dog", "cat")), List.of(List.of(List.of("a", "dog", "ran"))), 1))
                .isCloseTo(0.5 * Math.exp(1 - 1.5), Tolerance.relative(0.5 * Math.exp(1 - 1.5), Tolerance.doubleSums(8)));
        // Nothing in common: 0.
        assertThat(Bleu.corpus(List.of(List.of("x")), List.of(List.of(List.of("y"))), 4)).isZero();
        // A caption identical to its only reference, in a set of two images whose captions share
        // no n-gram: each n-gram has df 1, idf log(2); cosine 1 per order, no length penalty: 10.
        double[] c = Cider.perImage(List.of(List.of("a", "b", "c", "d"), List.of("e", "f", "g", "h")),
                List.of(List.of(List.of("a", "b", "c", "d")), List.of(List.of("w", "x", "y", "z"))));
        assertThat(c[0]).isCloseTo(10.0, Tolerance.relative(10.0, Tolerance.doubleSums(64)));
        assertThat(c[1]).isZero();
    }
}
