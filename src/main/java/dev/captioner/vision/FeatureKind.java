package dev.captioner.vision;

import java.util.Locale;

/** What an encoder gives for an image: one pooled vector, or a spatial grid of annotation vectors. */
public enum FeatureKind {
    /** One vector per image (VGG16's fc2, a global average): what merge and init-inject models read. */
    POOLED("pooled"),
    /** A grid of annotation vectors per image (a convolution's output map): what attention models read. */
    GRID("grid");

    private final String id;

    FeatureKind(String id) {
        this.id = id;
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
