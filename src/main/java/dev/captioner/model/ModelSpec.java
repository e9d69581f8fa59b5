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
 * @param attention the attention layer's settings, used by the attention LSTM
 * @param transformer the transformer decoder's settings, used by the transformer
 */
public record ModelSpec(Architecture architecture, int embed, int units, float dropout, Cleaning cleaning, int minCount,
        AttentionSpec attention, TransformerSpec transformer) {

    /**
     * The attention layer of an attention model.
     *
     * @param dim size of the attention layer
     * @param alphaReg weight of the doubly stochastic regulariser
     */
    public record AttentionSpec(
            @JsonProperty("dim") int dim,
            @JsonProperty("alpha_reg") float alphaReg) {

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
            @JsonProperty("attention_layer") int attentionLayer) {

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
        if (architecture == null || cleaning == null || attention == null || transformer == null) {
            throw new IllegalArgumentException("architecture, cleaning, attention and transformer settings are required");
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
        return new ModelSpec(Architecture.MERGE, 256, 256, 0.5f, Cleaning.KERAS_TUTORIAL, 1, AttentionSpec.defaults(),
                TransformerSpec.defaults());
    }

    /**
     * @param a an architecture
     * @return the defaults for it, with the dropout its {@link Architecture#recipe() recipe} says
     */
    public static ModelSpec defaults(Architecture a) {
        return defaults().withArchitecture(a).withDropout(a.recipe().dropout());
    }

    /**
     * @param a an architecture
     * @return a copy with it
     */
    public ModelSpec withArchitecture(Architecture a) {
        return new ModelSpec(a, embed, units, dropout, cleaning, minCount, attention, transformer);
    }

    /**
     * @param embedSize word embedding size
     * @param unitCount LSTM and dense width
     * @return a copy with those sizes
     */
    public ModelSpec withSizes(int embedSize, int unitCount) {
        return new ModelSpec(architecture, embedSize, unitCount, dropout, cleaning, minCount, attention, transformer);
    }

    /**
     * @param rate dropout rate
     * @return a copy with it
     */
    public ModelSpec withDropout(float rate) {
        return new ModelSpec(architecture, embed, units, rate, cleaning, minCount, attention, transformer);
    }

    /**
     * @param c caption cleaning
     * @return a copy with it
     */
    public ModelSpec withCleaning(Cleaning c) {
        return new ModelSpec(architecture, embed, units, dropout, c, minCount, attention, transformer);
    }

    /**
     * @param count vocabulary threshold
     * @return a copy with it
     */
    public ModelSpec withMinCount(int count) {
        return new ModelSpec(architecture, embed, units, dropout, cleaning, count, attention, transformer);
    }

    /**
     * @param settings attention layer settings
     * @return a copy with them
     */
    public ModelSpec withAttention(AttentionSpec settings) {
        return new ModelSpec(architecture, embed, units, dropout, cleaning, minCount, settings, transformer);
    }

    /**
     * @param settings transformer settings
     * @return a copy with them
     */
    public ModelSpec withTransformer(TransformerSpec settings) {
        return new ModelSpec(architecture, embed, units, dropout, cleaning, minCount, attention, settings);
    }
}
