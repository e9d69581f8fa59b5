package dev.captioner.options;

import dev.captioner.decode.DecodeSpec;
import picocli.CommandLine.Option;

/**
 * {@code --max-length}, {@code --length-penalty} and {@code --block-trigrams}: how the caption
 * search ends and ranks, declared here once for the commands that caption ({@code caption},
 * {@code evaluate}); the beam width is {@link BeamWidth}. Unset, each follows the model: its
 * longest training caption, or a pretrained folder's {@code max_length},
 * {@code length_penalty} and {@code no_repeat_ngram_size}.
 */
public final class SearchOptions {

    @Option(names = "--max-length", defaultValue = "0", paramLabel = "N",
            description = "Most tokens per caption, start and end included (default: the model's).")
    int maxLength;

    @Option(names = "--length-penalty", defaultValue = "0", paramLabel = "A",
            description = "Length normalisation exponent for trained models (default: ${DEFAULT-VALUE}; a pretrained "
                    + "folder uses its own).")
    double lengthPenalty;

    @Option(names = "--block-trigrams", description = "Never repeat a trigram within a caption.")
    boolean blockTrigrams;

    /**
     * @param beam the beam width
     * @return the search's settings, checked (an {@link IllegalArgumentException} names the
     *     value refused; {@link Checked} turns it into a command-line error)
     */
    public DecodeSpec decode(int beam) {
        return new DecodeSpec(beam, maxLength, lengthPenalty, blockTrigrams);
    }
}
