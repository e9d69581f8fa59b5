package dev.captioner.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How the next-word loss is computed. Both give the same model and the same loss; they differ
 * in work.
 */
public enum Objective {
    /** One LSTM pass per caption, loss at every position: O(L) per caption. */
    SEQUENCE("sequence"),
    /**
     * The Keras tutorial's expansion: one (prefix, next word) pair per position, each prefix run through
     * the LSTM on its own: O(L²) per caption. Kept for the equivalence test and the benchmark.
     */
    PAIRS("pairs");

    private final String id;

    Objective(String id) {
        this.id = id;
    }

    /** @return the name used on the command line */
    @JsonValue
    public String id() {
        return id;
    }

    /**
     * @param s a name
     * @return the objective
     */
    @JsonCreator
    public static Objective parse(String s) {
        for (Objective o : values()) {
            if (o.id.equals(s.trim().toLowerCase(Locale.ROOT))) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown objective '" + s + "' (expected sequence or pairs)");
    }

    @Override
    public String toString() {
        return id;
    }
}
