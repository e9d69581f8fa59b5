package dev.captioner.decode;

import java.util.List;

/**
 * A generated caption.
 *
 * @param words the caption's words, without {@code startseq}/{@code endseq}
 * @param logProb the sum of the chosen words' log-probabilities (end marker included if reached)
 * @param score what beam search ranked by: {@code logProb}, length-normalised if asked
 * @param finished whether the caption ended with the end marker (false if cut at the length limit)
 * @param attention for an attention model, the attention weights over the image's grid that
 *     produced each word (one array of {@code H × W} weights per word, row-major), else null
 * @param tokens the token ids the search chose, start token first and end token last when
 *     reached, as Transformers' {@code generate} returns them; the words are their
 *     {@link dev.captioner.data.CaptionTokenizer#text text}. Empty (or null, read as empty) for a
 *     caption made by hand.
 */
public record Caption(List<String> words, double logProb, double score, boolean finished, List<float[]> attention,
        int[] tokens) {

    /** Copies the lists and the ids. */
    public Caption {
        words = List.copyOf(words);
        attention = attention == null ? null : List.copyOf(attention);
        if (attention != null && attention.size() != words.size()) {
            throw new IllegalArgumentException(words.size() + " words but " + attention.size() + " attention maps");
        }
        tokens = tokens == null ? new int[0] : tokens.clone();
    }

    /** A caption made by hand, without token ids. */
    public Caption(List<String> words, double logProb, double score, boolean finished, List<float[]> attention) {
        this(words, logProb, score, finished, attention, new int[0]);
    }

    /** A caption made by hand, without attention weights or token ids. */
    public Caption(List<String> words, double logProb, double score, boolean finished) {
        this(words, logProb, score, finished, null, new int[0]);
    }

    /** @return a copy of the token ids */
    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    /** Equal captions have equal words, scores, ends, token ids and attention weights. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Caption c)) {
            return false;
        }
        if (attention == null ? c.attention != null : c.attention == null || attention.size() != c.attention.size()) {
            return false;
        }
        for (int i = 0; attention != null && i < attention.size(); i++) {
            if (!java.util.Arrays.equals(attention.get(i), c.attention.get(i))) {
                return false;
            }
        }
        return words.equals(c.words) && Double.compare(logProb, c.logProb) == 0 && Double.compare(score, c.score) == 0
                && finished == c.finished && java.util.Arrays.equals(tokens, c.tokens);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(words, logProb, score, finished, java.util.Arrays.hashCode(tokens));
    }

    /** @return the words joined by spaces */
    public String text() {
        return String.join(" ", words);
    }
}
