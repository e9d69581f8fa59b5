package dev.captioner.options;

import dev.captioner.decode.DecodeSpec;
import dev.captioner.hf.PretrainedCaptioner;
import dev.captioner.hf.PretrainedConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --beam}: the caption search's width, declared here once for every command that
 * searches ({@code caption}, {@code evaluate}, {@code run}, {@code serve}, Spark's {@code caption}).
 */
public final class BeamWidth {

    @Option(names = "--beam", paramLabel = "K",
            description = "Beam width; 1 is greedy, as the Keras tutorial (default: 1, or a pretrained folder's num_beams; "
                    + "3 for run's second evaluation; "
                    + "at most " + DecodeSpec.MAX_BEAM + ").")
    Integer beam;

    /**
     * Transformers' default for a pretrained folder is its own {@code num_beams}: without
     * {@code --beam}, that is the width here too, up to the command's largest.
     *
     * @param model the model to caption with (a folder on this machine; anything else, such as
     *     a URI on Spark's driver, counts as a trained model)
     * @param most the command's largest width
     * @return the width given, else the folder's {@code num_beams} (at most {@code most}) for a
     *     pretrained folder, else 1
     */
    public int beamFor(Path model, int most) {
        if (beam == null && PretrainedCaptioner.isPretrained(model)) {
            return Math.min(PretrainedConfig.read(model).beams(), most);
        }
        return beam();
    }

    /**
     * @param model the model to caption with
     * @return {@link #beamFor(Path, int)} up to the decoder's limit
     */
    public int beamFor(Path model) {
        return beamFor(model, DecodeSpec.MAX_BEAM);
    }

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
