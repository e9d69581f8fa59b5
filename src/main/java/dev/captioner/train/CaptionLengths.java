package dev.captioner.train;

import dev.captioner.model.ModelConfig;
import dev.captioner.model.CaptionNet;
import dev.captioner.util.CaptionerException;

/**
 * How long fine-tuning's captions may be, in tokens after the start marker (the end marker
 * included). Samples and the greedy baseline are drawn up to {@code sampled} tokens: the words
 * asked for and their end marker, never more than the network has positions for (a transformer
 * has one per token of its longest training caption). Dev and test are scored by evaluate's rule,
 * {@code scored} tokens: the longest training caption, markers included, less its start marker.
 *
 * @param sampled most tokens a sampled caption may have
 * @param scored most tokens of the captions dev and test are scored on
 */
public record CaptionLengths(int sampled, int scored) {

    /** Words a sampled caption may have when none are asked for, as the network allows. */
    public static final int DEFAULT_MAX_WORDS = 20;

    /**
     * @param config the model's configuration
     * @param net its network
     * @param maxWords words asked for ({@code --max-length}), or 0 for the default
     * @return the lengths
     * @throws CaptionerException naming both numbers if more words were asked for than the
     *     network has positions for
     */
    public static CaptionLengths of(ModelConfig config, CaptionNet net, int maxWords) {
        int positions = net.positions();
        int scored = config.maxLength() - 1;
        if (maxWords == 0) {
            return new CaptionLengths((int) Math.min(DEFAULT_MAX_WORDS + 1L, positions), scored);
        }
        if (maxWords + 1L > positions) {
            throw new CaptionerException("--max-length " + maxWords + " is more than the " + config.architecture().id()
                    + " can read: it has positions for " + positions + " tokens (its longest training caption, markers "
                    + "included), so at most " + (positions - 1) + " words and the end marker");
        }
        return new CaptionLengths(maxWords + 1, scored);
    }
}
