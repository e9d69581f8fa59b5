package dev.captioner.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CleaningTest {

    @Test
    void seedLowercasesDropsNonLettersAndOneLetterWords() {
        assertThat(Cleaning.SEED.words("A Dog's T-shirt, 2 kids & 5th avenue!"))
                .containsExactly("dogs", "tshirt", "kids", "th", "avenue");
    }

    @Test
    void keepShortKeepsOneLetterWords() {
        assertThat(Cleaning.KEEP_SHORT.words("A dog in a park : x"))
                .containsExactly("a", "dog", "in", "a", "park", "x");
    }

    @Test
    void splitsOnAnyWhitespaceIncludingTabsAndNonBreakingSpaces() {
        assertThat(Cleaning.SEED.words("two\tdogs\u00a0run  \n fast")).containsExactly("two", "dogs", "run", "fast");
    }

    @Test
    void nonAsciiLettersAreRemovedLikeTheSeedsRegex() {
        assertThat(Cleaning.SEED.words("a café crème")).containsExactly("caf", "crme");
    }

    @Test
    void tokensAreWrappedInMarkers() {
        assertThat(Cleaning.SEED.tokens("A dog runs.")).containsExactly("startseq", "dog", "runs", "endseq");
        assertThat(Cleaning.SEED.tokens("?! .")).containsExactly("startseq", "endseq");
    }

    @Test
    void parsesCommandLineNames() {
        assertThat(Cleaning.parse("keep-short")).isEqualTo(Cleaning.KEEP_SHORT);
        assertThat(Cleaning.parse("SEED")).isEqualTo(Cleaning.SEED);
        assertThatThrownBy(() -> Cleaning.parse("fancy")).hasMessageContaining("seed, keep-short");
    }
}
