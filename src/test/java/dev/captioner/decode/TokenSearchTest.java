package dev.captioner.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.captioner.testutil.Tolerance;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The search's Transformers rule book on hand-made log-probabilities, worked out by hand. */
class TokenSearchTest {

    /** Gives every row the same scores per step: {@code scores[step][token]}. */
    private static final class Scripted implements TokenStepper {
        private final float[][] scores;
        private final int rows;
        private int step;

        Scripted(float[][] scores, int rows) {
            this.scores = scores;
            this.rows = rows;
        }

        @Override
        public float[] step(long[] tokens) {
            float[] out = new float[rows * scores[0].length];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(scores[step], 0, out, r * scores[0].length, scores[0].length);
            }
            step++;
            return out;
        }

        @Override
        public void reorder(long[] parents) {}

        @Override
        public void close() {}
    }

    @Test
    void anEndTokenRankedBelowTheBeamWidthFinishesNothing() {
        // tokens: 0 end, 1 start, 2-4 words; beam 2, so the 4 best continuations are ranked.
        float[][] scores = {
            {-9f, -9f, -0.1f, -0.5f, -9f},
            // [1 2 0] -0.15 finishes (rank 0); [1 2 4] -0.4; [1 3 0] -0.55 is rank 2: dropped; [1 3 4] -0.8
            {-0.05f, -9f, -9f, -9f, -0.3f},
            // had [1 3 0] (-0.55 / 2) been kept, two hypotheses would beat the best running
            // sum -1.4 over length 4 and the search would stop before the limit
            {-9f, -9f, -1.0f, -1.1f, -9f},
        };
        List<List<TokenSearch.Sequence>> out = TokenSearch.run(new Scripted(scores, 2), 1,
                new TokenSearch.Rules(SearchRules.TRANSFORMERS, 1, 0, null, 0, 4, 2, 1.0));
        // At the limit the live beams join: [1 2 4 2] with -1.4 / 4.
        assertThat(out.get(0)).hasSize(2).noneSatisfy(s -> assertThat(s.tokens()).containsExactly(1, 3, 0))
                .anySatisfy(s -> {
                    assertThat(s.tokens()).containsExactly(1, 2, 4, 2);
                    // float scores summed in double: each term off by at most 2^-24 of itself
                    assertThat(s.score()).isCloseTo(-1.4 / 4, Tolerance.relative(-1.4 / 4, Tolerance.floatSums(3)));
                    assertThat(s.finished()).isFalse();
                });
    }

    @Test
    void anEndTokenInTheFirstKRanksFinishesAHypothesisScoredWithoutIt() {
        float[][] scores = {
            {-0.4f, -9f, -0.1f, -2.5f, -3.0f},  // end is 2nd: [start] finishes with -0.4 / 1
            {-5f, -9f, -0.2f, -4.5f, -4.6f},    // [1, 2, 2] -0.3 / 3 = -0.1 wins
        };
        List<List<TokenSearch.Sequence>> out = TokenSearch.run(new Scripted(scores, 2), 1,
                new TokenSearch.Rules(SearchRules.TRANSFORMERS, 1, 0, null, 0, 3, 2, 1.0));
        assertThat(out.get(0)).anySatisfy(s -> {
            assertThat(s.tokens()).containsExactly(1, 0);
            assertThat(s.score()).isCloseTo(-0.4, Tolerance.relative(-0.4, Tolerance.floatSums(1)));
            assertThat(s.finished()).isTrue();
        });
    }

    @Test
    void noRepeatNgramsOfAnySize() {
        assertThat(TokenSearch.repeatsNgram(new int[] {1, 5, 6, 5}, 6, 2)).isTrue();
        assertThat(TokenSearch.repeatsNgram(new int[] {1, 5, 6, 5}, 7, 2)).isFalse();
        assertThat(TokenSearch.repeatsNgram(new int[] {1, 5, 6}, 5, 1)).isTrue();
        assertThat(TokenSearch.repeatsNgram(new int[] {1, 5, 6, 7, 5, 6}, 7, 3)).isTrue();
        assertThat(TokenSearch.repeatsNgram(new int[] {1, 5, 6, 7, 5}, 7, 3)).isFalse();
        assertThat(TokenSearch.repeatsNgram(new int[] {1}, 1, 3)).isFalse();
    }
}
