package dev.captioner.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
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
 * @param settings the architecture's own settings, of the type {@link Architecture#defaultSettings()}
 *     has: {@link AttentionSpec} for the attention LSTM, {@link TransformerSpec} for the
 *     transformer, {@link ArchitectureSettings.None} for the others
 */
public record ModelSpec(Architecture architecture, int embed, int units, float dropout, Cleaning cleaning, int minCount,
        ArchitectureSettings settings) {

    /**
     * The attention layer of an attention model.
     *
     * @param dim size of the attention layer
     * @param alphaReg weight of the doubly stochastic regulariser
     */
    public record AttentionSpec(
            @JsonProperty("dim") int dim,
            @JsonProperty("alpha_reg") float alphaReg) implements ArchitectureSettings {

        /** Default attention layer size. */
        public static final int DEFAULT_DIM = 256;
        /** Default weight of the attention regulariser. */
        public static final float DEFAULT_ALPHA_REG = 1f;

        /** Validates the settings. */
        public AttentionSpec {
            if (dim < 1 || dim > 4096) {
                throw new IllegalArgumentException("attention dim must be between 1 and 4096, was " + dim);
            }
            if (!(alphaReg >= 0 && alphaReg <= 100)) {
                throw new IllegalArgumentException("alpha regularisation must be between 0 and 100, was " + alphaReg);
            }
        }

        /** @return a 256-wide layer with the regulariser at weight 1 */
        public static AttentionSpec defaults() {
            return new AttentionSpec(DEFAULT_DIM, DEFAULT_ALPHA_REG);
        }

        @Override
        @JsonIgnore
        public String key() {
            return "attention";
        }
    }

    /**
     * The transformer decoder.
     *
     * @param layers decoder layers
     * @param dModel width of the words' and the image's vectors
     * @param heads attention heads (dividing {@code dModel})
     * @param ffn width of each layer's feed-forward block (0: four times {@code dModel})
     * @param tieEmbeddings whether the output layer shares the word embeddings' weights
     * @param attentionLayer whose cross-attention the attention pictures show, counted from 1 (0: the last)
     */
    public record TransformerSpec(
            @JsonProperty("layers") int layers,
            @JsonProperty("d_model") int dModel,
            @JsonProperty("heads") int heads,
            @JsonProperty("ffn") int ffn,
            @JsonProperty("tie_embeddings") boolean tieEmbeddings,
            @JsonProperty("attention_layer") int attentionLayer) implements ArchitectureSettings {

        /** Validates the settings. */
        public TransformerSpec {
            if (layers < 1 || layers > 48) {
                throw new IllegalArgumentException("layers must be between 1 and 48, was " + layers);
            }
            if (dModel < 1 || dModel > 4096 || heads < 1 || dModel % heads != 0) {
                throw new IllegalArgumentException("d-model must be 1 to 4096 and a multiple of heads, was " + dModel
                        + " with " + heads + " heads");
            }
            if (ffn < 0 || ffn > 16384) {
                throw new IllegalArgumentException("ffn must be 0 (4 x d-model) to 16384, was " + ffn);
            }
            if (attentionLayer < 0 || attentionLayer > layers) {
                throw new IllegalArgumentException("attention layer must be 0 (the last) to " + layers + ", was "
                        + attentionLayer);
            }
        }

        /** @return three layers of width 256, 8 heads, feed-forward 1,024, untied, pictures from the last layer */
        public static TransformerSpec defaults() {
            return new TransformerSpec(3, 256, 8, 0, false, 0);
        }

        @Override
        @JsonIgnore
        public String key() {
            return "transformer";
        }

        /** @return the feed-forward width */
        public int ffnWidth() {
            return ffn == 0 ? 4 * dModel : ffn;
        }

        /** @return the layer whose cross-attention is shown, counted from 0 */
        public int pictureLayer() {
            return attentionLayer == 0 ? layers - 1 : attentionLayer - 1;
        }
    }

    /** Validates the choices. */
    public ModelSpec {
        if (architecture == null || cleaning == null) {
            throw new IllegalArgumentException("architecture and cleaning are required");
        }
        if (!architecture.takes(settings)) {
            throw new IllegalArgumentException("a " + architecture.id() + " model takes "
                    + architecture.defaultSettings().getClass().getSimpleName() + " settings, not " + settings);
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

    /** @return the Keras tutorial's model: merge, 256/256, dropout 0.5, keras-tutorial cleaning, all words kept */
    public static ModelSpec defaults() {
        return new ModelSpec(Architecture.MERGE, 256, 256, 0.5f, Cleaning.KERAS_TUTORIAL, 1,
                Architecture.MERGE.defaultSettings());
    }

    /**
     * @param a an architecture
     * @return the defaults for it, with the dropout its {@link Architecture#recipe() recipe} says
     */
    public static ModelSpec defaults(Architecture a) {
        return defaults().withArchitecture(a).withDropout(a.recipe().dropout());
    }

    /**
     * @param type the settings' record type
     * @param <T> that type
     * @return the architecture's settings as that type
     * @throws IllegalStateException if the architecture takes another kind
     */
    public <T extends ArchitectureSettings> T settings(Class<T> type) {
        return ModelSpec.settingsAs(architecture, settings, type);
    }

    static <T extends ArchitectureSettings> T settingsAs(Architecture a, ArchitectureSettings s, Class<T> type) {
        if (!type.isInstance(s)) {
            throw new IllegalStateException("a " + a.id() + " model has no " + type.getSimpleName());
        }
        return type.cast(s);
    }

    /**
     * @param a an architecture
     * @return a copy with it, and its default settings unless the current ones are its kind
     */
    public ModelSpec withArchitecture(Architecture a) {
        return new ModelSpec(a, embed, units, dropout, cleaning, minCount,
                a.takes(settings) ? settings : a.defaultSettings());
    }

    /**
     * @param embedSize word embedding size
     * @param unitCount LSTM and dense width
     * @return a copy with those sizes
     */
    public ModelSpec withSizes(int embedSize, int unitCount) {
        return new ModelSpec(architecture, embedSize, unitCount, dropout, cleaning, minCount, settings);
    }

    /**
     * @param rate dropout rate
     * @return a copy with it
     */
    public ModelSpec withDropout(float rate) {
        return new ModelSpec(architecture, embed, units, rate, cleaning, minCount, settings);
    }

    /**
     * @param c caption cleaning
     * @return a copy with it
     */
    public ModelSpec withCleaning(Cleaning c) {
        return new ModelSpec(architecture, embed, units, dropout, c, minCount, settings);
    }

    /**
     * @param count vocabulary threshold
     * @return a copy with it
     */
    public ModelSpec withMinCount(int count) {
        return new ModelSpec(architecture, embed, units, dropout, cleaning, count, settings);
    }

    /**
     * @param s the architecture's own settings
     * @return a copy with them
     * @throws IllegalArgumentException if they are not the architecture's kind
     */
    public ModelSpec withSettings(ArchitectureSettings s) {
        return new ModelSpec(architecture, embed, units, dropout, cleaning, minCount, s);
    }

    /**
     * What a command line or a demo offers for every architecture at once: the architecture keeps
     * the one of its kind, if any.
     *
     * @param offered settings for several architectures
     * @return a copy with the offered settings of the architecture's kind, else unchanged
     */
    public ModelSpec withSettingsFrom(ArchitectureSettings... offered) {
        for (ArchitectureSettings s : offered) {
            if (architecture.takes(s)) {
                return withSettings(s);
            }
        }
        return this;
    }
}
