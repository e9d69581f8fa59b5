package dev.captioner.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.captioner.vision.FeatureKind;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The registry of caption-network architectures: each line names one, says what it reads and
 * whether it yields per-word attention maps, and builds its network. Callers outside this
 * package ask these questions (through {@link ModelConfig} or {@link CaptionModel}) and never
 * compare names; adding an architecture is its {@link CaptionNet} class and one line here.
 */
public enum Architecture {
    /**
     * The Keras tutorial's: the projected image feature is added to the LSTM's output before the decoder
     * head ("merge" model).
     */
    MERGE("merge", "the Keras tutorial's: LSTM over the words, image vector added before the head", FeatureKind.POOLED,
            EnumSet.noneOf(Trait.class), Recipe.LSTM, ArchitectureSettings.None.INSTANCE, LstmCaptionNet::new),
    /** Show and Tell style: the projected image feature is the LSTM's initial hidden state. */
    INIT_INJECT("init-inject", "Show and Tell: the image vector is the LSTM's initial state", FeatureKind.POOLED,
            EnumSet.noneOf(Trait.class), Recipe.LSTM, ArchitectureSettings.None.INSTANCE, LstmCaptionNet::new),
    /**
     * Show, Attend and Tell's soft attention: at every word, a weighted mean of the image's grid
     * of annotation vectors, the weights computed from the LSTM's state.
     */
    ATTENTION("attention", "Show, Attend and Tell: soft attention over the image's grid at every word", FeatureKind.GRID,
            EnumSet.of(Trait.ATTENTION_MAPS), Recipe.LSTM, ModelSpec.AttentionSpec.defaults(), AttentionCaptionNet::new),
    /**
     * A transformer decoder: causal self-attention over the words, cross-attention over the
     * image's grid vectors (or its one pooled vector), pre-layer-norm, learned positions.
     */
    TRANSFORMER("transformer", "a transformer decoder: self-attention over the words, cross-attention over the image's "
            + "grid (or its pooled vector)", FeatureKind.GRID, EnumSet.of(Trait.READS_BOTH, Trait.ATTENTION_MAPS,
                    Trait.DECODING_CACHE), Recipe.TRANSFORMER, ModelSpec.TransformerSpec.defaults(),
            TransformerCaptionNet::new);

    /**
     * How an architecture trains best when the user does not say: measured on the demo's data
     * (docs/performance.md, "Tuning the transformer").
     *
     * @param dropout the dropout rate
     * @param warmup learning-rate warm-up steps
     * @param decay how the rate falls after the warm-up
     * @param finetuneRate the learning rate of self-critical fine-tuning on small data (the
     *     demo's; docs/performance.md, "Self-critical fine-tuning")
     */
    public record Recipe(float dropout, int warmup, Decay decay, float finetuneRate) {
        /**
         * The LSTMs: the Keras tutorial's dropout of 0.5 and a constant rate; fine-tuned at 2e-4, the
         * best of 5e-5, 2e-4 and 5e-4 by dev CIDEr-D for merge and for attention.
         */
        static final Recipe LSTM = new Recipe(0.5f, 0, Decay.INVERSE_SQRT, 2e-4f);
        /**
         * The transformer: light dropout, a warm-up of 400 steps and a linear decay (lower dev loss
         * and higher CIDEr-D than the inverse square root with three seeds out of three);
         * fine-tuned at 1e-4 (5e-4 made every epoch worse on dev; 5e-5 gained less).
         */
        static final Recipe TRANSFORMER = new Recipe(0.1f, 400, Decay.LINEAR, 1e-4f);
    }

    private enum Trait {
        /** It reads pooled vectors as well as grids. */
        READS_BOTH,
        /** Its captions carry per-word attention maps over the grid. */
        ATTENTION_MAPS,
        /** Its decoding keeps a cache that {@link CaptionNet#useCache(boolean)} switches. */
        DECODING_CACHE
    }

    private final String id;
    private final String description;
    private final FeatureKind features;
    private final Set<Trait> traits;
    private final Recipe recipe;
    private final ArchitectureSettings settings;
    private final Function<ModelConfig, CaptionNet> factory;

    Architecture(String id, String description, FeatureKind features, Set<Trait> traits, Recipe recipe,
            ArchitectureSettings settings, Function<ModelConfig, CaptionNet> factory) {
        this.id = id;
        this.description = description;
        this.features = features;
        this.traits = Collections.unmodifiableSet(traits);
        this.recipe = recipe;
        this.settings = settings;
        this.factory = factory;
    }

    /** @return the features the architecture reads by default (and what {@code run} makes for it) */
    public FeatureKind features() {
        return features;
    }

    /**
     * @param kind a kind of feature
     * @return whether a network of this architecture can read it
     */
    public boolean reads(FeatureKind kind) {
        return kind == features || traits.contains(Trait.READS_BOTH);
    }

    /**
     * @return whether its captions carry, for every word, the attention weights over the image's
     *     grid (when it reads a grid)
     */
    public boolean attentionMaps() {
        return traits.contains(Trait.ATTENTION_MAPS);
    }

    /**
     * @return whether its decoding reuses what earlier steps computed, a cache that
     *     {@link CaptionNet#useCache(boolean)} turns off (what a benchmark compares)
     */
    public boolean decodingCache() {
        return traits.contains(Trait.DECODING_CACHE);
    }

    /** @return its own settings' defaults: the record type its specs and configurations hold */
    public ArchitectureSettings defaultSettings() {
        return settings;
    }

    /**
     * @param s settings
     * @return whether they are this architecture's kind of settings
     */
    public boolean takes(ArchitectureSettings s) {
        return s != null && s.getClass() == settings.getClass();
    }

    /** @return the dropout and learning-rate schedule it trains with unless told otherwise */
    public Recipe recipe() {
        return recipe;
    }

    /** @return one line for help texts and listings */
    public String description() {
        return description;
    }

    /** Builds the network a configuration of this architecture describes. */
    CaptionNet create(ModelConfig config) {
        return factory.apply(config);
    }

    /** @return the name used on the command line and in {@code config.json} */
    @JsonValue
    public String id() {
        return id;
    }

    /** @return every architecture's name, comma-separated, for messages */
    public static String ids() {
        return Arrays.stream(values()).map(Architecture::id).collect(Collectors.joining(", "));
    }

    /**
     * @param s a name
     * @return the architecture
     */
    @JsonCreator
    public static Architecture parse(String s) {
        for (Architecture a : values()) {
            if (a.id.equals(s.trim().toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown architecture '" + s + "' (expected one of " + ids() + ")");
    }

    @Override
    public String toString() {
        return id;
    }
}
