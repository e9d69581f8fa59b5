package dev.captioner.decode;

import java.io.Serializable;

/**
 * How captions are generated.
 *
 * @param beam beam width; 1 is greedy search, as the Keras tutorial does
 * @param maxLength most tokens in a caption with both markers; 0 for the model's own maximum
 * @param lengthPenalty GNMT length normalisation exponent alpha (score = logP / ((5 + n) / 6)^alpha);
 *     0 ranks by plain log-probability
 * @param blockTrigrams never extend a caption with a word that repeats one of its trigrams
 *     ("a dog and a dog and a ..."), as self-critical.pytorch's {@code block_trigrams} does
 */
public record DecodeSpec(int beam, int maxLength, double lengthPenalty, boolean blockTrigrams) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Largest beam accepted. */
    public static final int MAX_BEAM = 20;

    /**
     * The one check of a beam width, wherever one is given.
     *
     * @param beam a beam width
     * @return it, if it is between 1 and {@link #MAX_BEAM}
     * @throws IllegalArgumentException otherwise
     */
    public static int requireBeam(int beam) {
        if (beam < 1 || beam > MAX_BEAM) {
            throw new IllegalArgumentException("beam must be between 1 and " + MAX_BEAM + ", was " + beam);
        }
        return beam;
    }

    /** Validates the settings. */
    public DecodeSpec {
        requireBeam(beam);
        if (maxLength < 0 || maxLength == 1 || maxLength > 1000) {
            throw new IllegalArgumentException("max length must be 0 (the model's) or between 2 and 1000, was " + maxLength);
        }
        if (!(lengthPenalty >= 0 && lengthPenalty <= 5)) {
            throw new IllegalArgumentException("length penalty must be between 0 and 5, was " + lengthPenalty);
        }
    }

    /**
     * Without trigram blocking.
     *
     * @param beam beam width
     * @param maxLength most tokens, or 0 for the model's maximum
     * @param lengthPenalty length normalisation exponent
     */
    public DecodeSpec(int beam, int maxLength, double lengthPenalty) {
        this(beam, maxLength, lengthPenalty, false);
    }

    /** @return these options with trigram blocking on */
    public DecodeSpec withBlockTrigrams() {
        return new DecodeSpec(beam, maxLength, lengthPenalty, true);
    }

    /**
     * @param k beam width
     * @return these options with that beam width
     */
    public DecodeSpec withBeam(int k) {
        return new DecodeSpec(k, maxLength, lengthPenalty, blockTrigrams);
    }

    /** @return greedy search up to the model's maximum length */
    public static DecodeSpec greedy() {
        return new DecodeSpec(1, 0, 0);
    }

    /**
     * @param beam beam width
     * @return beam search up to the model's maximum length, no length penalty
     */
    public static DecodeSpec beam(int beam) {
        return new DecodeSpec(beam, 0, 0);
    }
}
