package dev.captioner.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What self-critical training subtracts from a sample's reward (see {@link SelfCriticalTrainer}). */
public enum Baseline {
    /** The mean reward of the image's other samples ("new self-critical"; no extra decoding). */
    OTHERS("others"),
    /** The reward of the image's greedy caption (Rennie et al., 2017; one more decoding pass). */
    GREEDY("greedy");

    private final String id;

    Baseline(String id) {
        this.id = id;
    }

    /** @return the name used on the command line and in checkpoints */
    @JsonValue
    public String id() {
        return id;
    }

    /**
     * @param s a name
     * @return the baseline
     */
    @JsonCreator
    public static Baseline parse(String s) {
        for (Baseline b : values()) {
            if (b.id.equals(s.trim().toLowerCase(Locale.ROOT))) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown baseline '" + s + "' (expected others or greedy)");
    }

    /**
     * The others-baseline: each sample's baseline is the mean reward of the other samples of the
     * same image.
     *
     * @param rewards rewards of {@code perImage} samples per image, image-major
     * @param perImage samples per image (at least 2)
     * @return each sample's baseline
     */
    public static double[] others(double[] rewards, int perImage) {
        double[] b = new double[rewards.length];
        for (int i = 0; i < rewards.length; i += perImage) {
            double sum = 0;
            for (int j = 0; j < perImage; j++) {
                sum += rewards[i + j];
            }
            for (int j = 0; j < perImage; j++) {
                b[i + j] = (sum - rewards[i + j]) / (perImage - 1);
            }
        }
        return b;
    }

    @Override
    public String toString() {
        return id;
    }
}
