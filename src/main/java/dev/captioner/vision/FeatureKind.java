package dev.captioner.vision;

import java.util.Locale;

/** What an encoder gives for an image: one pooled vector, or a spatial grid of annotation vectors. */
public enum FeatureKind {
    /** One vector per image (VGG16's fc2, a global average): what merge and init-inject models read. */
    POOLED("pooled", "pooled vectors with 'captioner features' (without --grid)"),
    /** A grid of annotation vectors per image (a convolution's output map): what attention models read. */
    GRID("grid", "grids with 'captioner features --grid'");

    private final String id;
    private final String howToMake;

    FeatureKind(String id, String howToMake) {
        this.id = id;
        this.howToMake = howToMake;
    }

    /** @return what to run to make such features, for messages */
    public String howToMake() {
        return howToMake;
    }

    /** @return the name used in feature files and model configurations */
    public String id() {
        return id;
    }

    /**
     * @param s a name
     * @return the kind
     */
    public static FeatureKind parse(String s) {
        for (FeatureKind k : values()) {
            if (k.id.equals(s.trim().toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown feature kind '" + s + "' (expected pooled or grid)");
    }
}
