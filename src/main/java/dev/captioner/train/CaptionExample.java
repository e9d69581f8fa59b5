package dev.captioner.train;

/**
 * One training caption: the image's row in the feature matrix and the caption's token indices,
 * {@code startseq ... endseq} included.
 *
 * @param featureRow row of the image's feature vector
 * @param tokens token indices
 */
public record CaptionExample(int featureRow, int[] tokens) {

    /** @return next-word predictions this caption gives: one per token after the first */
    public int predictions() {
        return tokens.length - 1;
    }
}
