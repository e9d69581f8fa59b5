package dev.captioner.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.captioner.vision.FeatureKind;
import java.util.Locale;

/** How the image enters the caption model. */
public enum Architecture {
    /**
     * The seed's: the projected image feature is added to the LSTM's output before the decoder
     * head ("merge" model).
     */
    MERGE("merge"),
    /** Show and Tell style: the projected image feature is the LSTM's initial hidden state. */
    INIT_INJECT("init-inject"),
    /**
     * Show, Attend and Tell's soft attention: at every word, a weighted mean of the image's grid
     * of annotation vectors, the weights computed from the LSTM's state.
     */
    ATTENTION("attention");

    private final String id;

    Architecture(String id) {
        this.id = id;
    }

    /** @return the features the architecture reads: pooled vectors, or grids for attention */
    public FeatureKind features() {
        return this == ATTENTION ? FeatureKind.GRID : FeatureKind.POOLED;
    }

    /** @return the name used on the command line and in {@code config.json} */
    @JsonValue
    public String id() {
        return id;
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
        throw new IllegalArgumentException("unknown architecture '" + s + "' (expected merge, init-inject or attention)");
    }

    @Override
    public String toString() {
        return id;
    }
}
