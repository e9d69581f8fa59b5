package dev.captioner.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Which score self-critical training maximises; the evaluation package computes them. */
public enum RewardMetric {
    /** CIDEr-D, with document frequencies from the training split's references. */
    CIDER_D("cider-d"),
    /** Sentence BLEU-4 (smoothed) against the image's references. */
    BLEU4("bleu4"),
    /** The sum of the two. */
    CIDER_D_BLEU4("cider-d+bleu4");

    private final String id;

    RewardMetric(String id) {
        this.id = id;
    }

    /** @return the name used on the command line and in checkpoints */
    @JsonValue
    public String id() {
        return id;
    }

    /**
     * @param s a name
     * @return the metric
     */
    @JsonCreator
    public static RewardMetric parse(String s) {
        for (RewardMetric r : values()) {
            if (r.id.equals(s.trim().toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown reward '" + s + "' (expected cider-d, bleu4 or cider-d+bleu4)");
    }

    @Override
    public String toString() {
        return id;
    }
}
