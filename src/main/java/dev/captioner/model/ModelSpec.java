package dev.captioner.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.captioner.data.Cleaning;

/**
 * What the user asks of a caption model before its data is seen: the architecture, its sizes and
 * the caption cleaning. {@link ModelConfig} is what is saved once the data has decided the rest
 * (vocabulary, caption length, encoder). Built from {@link #defaults()} with the {@code with…}
 * methods, so each value is named where it is set:
 * {@code ModelSpec.defaults().withArchitecture(Architecture.ATTENTION).withSizes(512, 512)}.
 *
 * @param architecture the network's architecture
 * @param embed word embedding size
 * @param units LSTM state size and the width of the image projection and decoder head
 * @param dropout dropout rate
 * @param cleaning caption cleaning
 * @param minCount words seen fewer times in training captions become {@code <unk>}
 * @param attention the attention layer's settings, used by architectures with attention maps
 */
public record ModelSpec(Architecture architecture, int embed, int units, float dropout, Cleaning cleaning, int minCount,
        AttentionSettings attention) {

    /**
     * The attention layer of an attention model.
     *
     * @param dim size of the attention layer
     * @param alphaReg weight of the doubly stochastic regulariser
     */
    public record AttentionSettings(
            @JsonProperty("dim") int dim,
            @JsonProperty("alpha_reg") float alphaReg) {

        /** Default attention layer size. */
        public static final int DEFAULT_DIM = 256;
        /** Default weight of the attention regulariser. */
        public static final float DEFAULT_ALPHA_REG = 1f;

        /** Validates the settings. */
        public AttentionSettings {
            if (dim < 1 || dim > 4096) {
                throw new IllegalArgumentException("attention dim must be between 1 and 4096, was " + dim);
            }
            if (!(alphaReg >= 0 && alphaReg <= 100)) {
                throw new IllegalArgumentException("alpha regularisation must be between 0 and 100, was " + alphaReg);
            }
        }

        /** @return a 256-wide layer with the regulariser at weight 1 */
        public static AttentionSettings defaults() {
            return new AttentionSettings(DEFAULT_DIM, DEFAULT_ALPHA_REG);
        }
    }

    /** Validates the choices. */
    public ModelSpec {
        if (architecture == null || cleaning == null || attention == null) {
            throw new IllegalArgumentException("architecture, cleaning and attention settings are required");
        }
        if (embed < 1 || embed > 4096 || units < 1 || units > 4096) {
            throw new IllegalArgumentException("embed and units must be between 1 and 4096, were " + embed + " and " + units);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), was " + dropout);
        }
        if (minCount < 1) {
            throw new IllegalArgumentException("min count must be at least 1, was " + minCount);
        }
    }

    /** @return the seed's model: merge, 256/256, dropout 0.5, seed cleaning, all words kept */
    public static ModelSpec defaults() {
        return new ModelSpec(Architecture.MERGE, 256, 256, 0.5f, Cleaning.SEED, 1, AttentionSettings.defaults());
    }

    /**
     * @param a an architecture
     * @return a copy with it
     */
    public ModelSpec withArchitecture(Architecture a) {
        return new ModelSpec(a, embed, units, dropout, cleaning, minCount, attention);
    }

    /**
     * @param embedSize word embedding size
     * @param unitCount LSTM and dense width
     * @return a copy with those sizes
     */
    public ModelSpec withSizes(int embedSize, int unitCount) {
        return new ModelSpec(architecture, embedSize, unitCount, dropout, cleaning, minCount, attention);
    }

    /**
     * @param rate dropout rate
     * @return a copy with it
     */
    public ModelSpec withDropout(float rate) {
        return new ModelSpec(architecture, embed, units, rate, cleaning, minCount, attention);
    }

    /**
     * @param c caption cleaning
     * @return a copy with it
     */
    public ModelSpec withCleaning(Cleaning c) {
        return new ModelSpec(architecture, embed, units, dropout, c, minCount, attention);
    }

    /**
     * @param count vocabulary threshold
     * @return a copy with it
     */
    public ModelSpec withMinCount(int count) {
        return new ModelSpec(architecture, embed, units, dropout, cleaning, count, attention);
    }

    /**
     * @param settings attention layer settings
     * @return a copy with them
     */
    public ModelSpec withAttention(AttentionSettings settings) {
        return new ModelSpec(architecture, embed, units, dropout, cleaning, minCount, settings);
    }
}
