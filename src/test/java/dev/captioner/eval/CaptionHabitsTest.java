package dev.captioner.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.captioner.testutil.Tolerance;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaptionHabitsTest {

    private static List<String> w(String s) {
        return s.isEmpty() ? List.of() : List.of(s.split(" "));
    }

    @Test
    void sharesOfBadEndingsRepeatedTrigramsAndDistinctCaptions() {
        CaptionHabits h = CaptionHabits.of(List.of(w("a dog runs on the"), w("a dog and a dog and a cat"),
                w("a dog runs"), w("a dog runs"), w("")));
        assertThat(h.badEndings()).as("'the' ends the first").isCloseTo(1 / 5.0, Tolerance.relative(1 / 5.0, Tolerance.doubleSums(8)));
        assertThat(h.repeatedTrigrams()).as("'a dog and' twice in the second").isCloseTo(1 / 5.0, Tolerance.relative(1 / 5.0, Tolerance.doubleSums(8)));
        assertThat(h.distinct()).as("four different captions of five").isCloseTo(4 / 5.0, Tolerance.relative(4 / 5.0, Tolerance.doubleSums(8)));
        assertThat(h.meanLength()).isCloseTo((5 + 8 + 3 + 3 + 0) / 5.0, Tolerance.relative((5 + 8 + 3 + 3 + 0) / 5.0, Tolerance.doubleSums(8)));
        assertThat(CaptionHabits.repeatsTrigram(w("a b a b"))).isFalse();
        assertThat(CaptionHabits.repeatsTrigram(w("a b c a b c"))).isTrue();
    }

    /**
     * Exactly self-critical.pytorch's evaluation list ({@code captioning/utils/eval_utils.py} at
     * commit 4c48a33, lines 27-28: the words below, then {@code bad_endings += ['the']}).
     */
    @org.junit.jupiter.api.Test
    void badEndingsAreSelfCriticalsEvaluationList() {
        assertThat(CaptionHabits.BAD_ENDINGS).containsExactlyInAnyOrder("a", "an", "the", "in", "for", "at", "of", "with",
                "before", "after", "on", "upon", "near", "to", "is", "are", "am");
    }
}
