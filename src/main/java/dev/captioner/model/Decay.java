package dev.captioner.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How the learning rate falls once its warm-up has ended: part of an architecture's recipe and of a training run's settings. */
public enum Decay {
    /** As the inverse square root of the step ("Attention Is All You Need"); no decay without warm-up. */
    INVERSE_SQRT("inverse-sqrt"),
    /** In a straight line from the full rate to almost nothing at the last step of the last epoch. */
    LINEAR("linear");

    private final String id;

    Decay(String id) {
        this.id = id;
    }

    /** @return the name used on the command line and in checkpoints */
    @JsonValue
    public String id() {
        return id;
    }

    /**
     * @param s a name
     * @return the decay
     */
    @JsonCreator
    public static Decay parse(String s) {
        for (Decay d : values()) {
            if (d.id.equals(s.trim().toLowerCase(Locale.ROOT))) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown decay '" + s + "' (expected inverse-sqrt or linear)");
    }

    @Override
    public String toString() {
        return id;
    }
}
