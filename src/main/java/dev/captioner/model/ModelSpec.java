package dev.captioner.model;

import dev.captioner.data.Cleaning;

/**
 * The choices that shape a caption model before its vocabulary is known.
 *
 * @param architecture merge, init-inject or attention
 * @param embed embedding size
 * @param units LSTM and dense width
 * @param dropout dropout rate
 * @param cleaning caption cleaning
 * @param minCount words seen fewer times in training captions become {@code <unk>}
 * @param attentionDim size of the attention layer (attention models)
 * @param alphaReg weight of the doubly stochastic attention regulariser (attention models)
 */
public record ModelSpec(Architecture architecture, int embed, int units, float dropout, Cleaning cleaning, int minCount,
        int attentionDim, float alphaReg) {

    /** Default attention layer size. */
    public static final int DEFAULT_ATTENTION_DIM = 256;
    /** Default weight of the attention regulariser. */
    public static final float DEFAULT_ALPHA_REG = 1f;

    /** A spec with the default attention settings (used only by attention models). */
    public ModelSpec(Architecture architecture, int embed, int units, float dropout, Cleaning cleaning, int minCount) {
        this(architecture, embed, units, dropout, cleaning, minCount, DEFAULT_ATTENTION_DIM, DEFAULT_ALPHA_REG);
    }

    /** Validates the choices. */
    public ModelSpec {
        if (architecture == null || cleaning == null) {
            throw new IllegalArgumentException("architecture and cleaning are required");
        }
        if (embed < 1 || embed > 4096 || units < 1 || units > 4096) {
            throw new IllegalArgumentException("embed and units must be between 1 and 4096");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), was " + dropout);
        }
        if (minCount < 1) {
            throw new IllegalArgumentException("min count must be at least 1, was " + minCount);
        }
        if (attentionDim < 1 || attentionDim > 4096) {
            throw new IllegalArgumentException("attention dim must be between 1 and 4096, was " + attentionDim);
        }
        if (!(alphaReg >= 0 && alphaReg <= 100)) {
            throw new IllegalArgumentException("alpha regularisation must be between 0 and 100, was " + alphaReg);
        }
    }

    /** @return the seed's model: merge, 256/256, dropout 0.5, seed cleaning, all words kept */
    public static ModelSpec defaults() {
        return new ModelSpec(Architecture.MERGE, 256, 256, 0.5f, Cleaning.SEED, 1);
    }
}
