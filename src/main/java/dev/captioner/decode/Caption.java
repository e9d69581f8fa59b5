package dev.captioner.decode;

import java.util.List;

/**
 * A generated caption.
 *
 * @param words the caption's words, without {@code startseq}/{@code endseq}
 * @param logProb the sum of the chosen words' log-probabilities (end marker included if reached)
 * @param score what beam search ranked by: {@code logProb}, length-normalised if asked
 * @param finished whether the caption ended with the end marker (false if cut at the length limit)
 */
public record Caption(List<String> words, double logProb, double score, boolean finished) {

    /** Copies the word list. */
    public Caption {
        words = List.copyOf(words);
    }

    /** @return the words joined by spaces */
    public String text() {
        return String.join(" ", words);
    }
}
