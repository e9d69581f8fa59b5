package dev.captioner.data;

import java.util.Locale;

/** The part of a dataset an image belongs to. */
public enum Split {
    /** Images the model is fitted on. */
    TRAIN,
    /** Images used for early stopping and model choice (Karpathy's "val"). */
    DEV,
    /** Held-out images for the reported scores. */
    TEST;

    /** @return the lower-case name used in files and on the command line */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param s a split name; {@code val} and {@code validation} mean dev, {@code restval} train
     * @return the split, or null if the name is unknown
     */
    public static Split parse(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "train", "restval" -> TRAIN;
            case "dev", "val", "valid", "validation" -> DEV;
            case "test" -> TEST;
            default -> null;
        };
    }
}
