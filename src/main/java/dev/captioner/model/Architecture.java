package dev.captioner.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.captioner.vision.FeatureKind;
import java.util.Arrays;
import java.util.Locale;
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
     * The seed's: the projected image feature is added to the LSTM's output before the decoder
     * head ("merge" model).
     */
    MERGE("merge", "the seed's: LSTM over the words, image vector added before the head", FeatureKind.POOLED, false,
            false, LstmCaptionNet::new),
    /** Show and Tell style: the projected image feature is the LSTM's initial hidden state. */
    INIT_INJECT("init-inject", "Show and Tell: the image vector is the LSTM's initial state", FeatureKind.POOLED, false,
            false, LstmCaptionNet::new),
    /**
     * Show, Attend and Tell's soft attention: at every word, a weighted mean of the image's grid
     * of annotation vectors, the weights computed from the LSTM's state.
     */
    ATTENTION("attention", "Show, Attend and Tell: soft attention over the image's grid at every word", FeatureKind.GRID,
            true, true, AttentionCaptionNet::new);

    private final String id;
    private final String description;
    private final FeatureKind features;
    private final boolean attentionMaps;
    private final boolean attentionLayer;
    private final Function<ModelConfig, CaptionNet> factory;

    Architecture(String id, String description, FeatureKind features, boolean attentionMaps, boolean attentionLayer,
            Function<ModelConfig, CaptionNet> factory) {
        this.id = id;
        this.description = description;
        this.features = features;
        this.attentionMaps = attentionMaps;
        this.attentionLayer = attentionLayer;
        this.factory = factory;
    }

    /** @return the features the architecture reads by default: pooled vectors or grids */
    public FeatureKind features() {
        return features;
    }

    /**
     * @param kind a kind of feature
     * @return whether a network of this architecture can read it
     */
    public boolean reads(FeatureKind kind) {
        return kind == features;
    }

    /** @return whether its captions carry, for every word, the attention weights over the image's grid */
    public boolean attentionMaps() {
        return attentionMaps;
    }

    /** @return whether its network has the additive attention layer that {@link ModelSpec.AttentionSettings} sizes */
    boolean attentionLayer() {
        return attentionLayer;
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
