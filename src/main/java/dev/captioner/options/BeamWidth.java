package dev.captioner.options;

import dev.captioner.decode.DecodeSpec;
import picocli.CommandLine.Option;

/**
 * {@code --beam}: the caption search's width, declared here once for every command that
 * searches ({@code caption}, {@code evaluate}, {@code run}, {@code serve}, Spark's {@code caption}).
 */
public final class BeamWidth {

    @Option(names = "--beam", paramLabel = "K",
            description = "Beam width; 1 is greedy, as the Keras tutorial (default: 1; 3 for run's second evaluation; "
                    + "at most " + DecodeSpec.MAX_BEAM + ").")
    Integer beam;

    /** @return the width given, or 1 (greedy), checked against the decoder's limit */
    public int beam() {
        return beamOr(1);
    }

    /**
     * @param otherwise the command's default
     * @return the width given, or {@code otherwise}, checked against the decoder's limit
     */
    public int beamOr(int otherwise) {
        return DecodeSpec.requireBeam(beam == null ? otherwise : beam);
    }
}
