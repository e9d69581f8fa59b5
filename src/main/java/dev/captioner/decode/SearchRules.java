package dev.captioner.decode;

/**
 * How a beam search picks, finishes and ranks captions: one search, two rule books.
 */
public enum SearchRules {
    /**
     * This project's: the K best continuations; one that ends is finished; an image stops when
     * it has K finished captions that no live one can beat, ranked by log-probability (or the
     * GNMT length penalty).
     */
    CAPTIONER,
    /**
     * Transformers' {@code generate} (4.33, as the published exports were made): greedy is the
     * arg max; beam search takes the 2K best continuations, an end token among the first K ranks
     * finishes a hypothesis scored {@code sum / length^penalty} (the length counting the start
     * token, not the end), the others fill the K beams; an image is done when K hypotheses exist
     * and the worst is at least the best running sum over the current length (early stopping
     * off); at the length limit the live beams join the hypotheses.
     */
    TRANSFORMERS
}
