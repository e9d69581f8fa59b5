package dev.captioner.options;

import dev.captioner.decode.DecodeOptions;
import picocli.CommandLine.Option;

/** {@code --beam}: the caption search's width, for {@code caption} and Spark's {@code caption}. */
public final class BeamWidth {

    @Option(names = "--beam", defaultValue = "1", paramLabel = "K",
            description = "Beam width; 1 is greedy, as the seed (default: ${DEFAULT-VALUE}; at most "
                    + DecodeOptions.MAX_BEAM + ").")
    int beam;

    /** @return the width, checked against the decoder's limit */
    public int beam() {
        if (beam < 1 || beam > DecodeOptions.MAX_BEAM) {
            throw new IllegalArgumentException("--beam must be between 1 and " + DecodeOptions.MAX_BEAM + ", was " + beam);
        }
        return beam;
    }
}
