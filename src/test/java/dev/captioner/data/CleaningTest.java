package dev.captioner.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CleaningTest {

    @Test
    void kerasTutorialLowercasesDropsNonLettersAndOneLetterWords() {
        assertThat(Cleaning.KERAS_TUTORIAL.words("A Dog's T-shirt, 2 kids & 5th avenue!"))
                .containsExactly("dogs", "tshirt", "kids", "th", "avenue");
    }

    @Test
    void keepShortKeepsOneLetterWords() {
        assertThat(Cleaning.KEEP_SHORT.words("A dog in a park : x"))
                .containsExactly("a", "dog", "in", "a", "park", "x");
    }

    @Test
    void splitsOnAnyWhitespaceIncludingTabsAndNonBreakingSpaces() {
        assertThat(Cleaning.KERAS_TUTORIAL.words("two\tdogs\u00a0run  \n fast")).containsExactly("two", "dogs", "run", "fast");
    }

    @Test
    void nonAsciiLettersAreRemovedLikeTheSeedsRegex() {
        assertThat(Cleaning.KERAS_TUTORIAL.words("a café crème")).containsExactly("caf", "crme");
    }

    @Test
    void tokensAreWrappedInMarkers() {
        assertThat(Cleaning.KERAS_TUTORIAL.tokens("A dog runs.")).containsExactly("startseq", "dog", "runs", "endseq");
        assertThat(Cleaning.KERAS_TUTORIAL.tokens("?! .")).containsExactly("startseq", "endseq");
    }

    @Test
    void parsesCommandLineNames() {
        assertThat(Cleaning.parse("keep-short")).isEqualTo(Cleaning.KEEP_SHORT);
        assertThat(Cleaning.parse("Keras-Tutorial")).isEqualTo(Cleaning.KERAS_TUTORIAL);
        // The old name, in models saved before the rename and on command lines for one release.
        assertThat(Cleaning.parse("SEED")).isEqualTo(Cleaning.KERAS_TUTORIAL);
        assertThat(Cleaning.KERAS_TUTORIAL.id()).isEqualTo("keras-tutorial");
        assertThatThrownBy(() -> Cleaning.parse("fancy")).hasMessageContaining("keras-tutorial, keep-short");
    }
}
