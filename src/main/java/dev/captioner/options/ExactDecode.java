package dev.captioner.options;

import picocli.CommandLine.Option;

/**
 * {@code --exact-decode}: for the commands and jobs that caption photos, decode every pixel as
 * feature extraction does (the Keras-exact path) instead of only as many as the encoder's resize
 * reads.
 */
public final class ExactDecode {

    @Option(names = "--exact-decode", description = "Decode every pixel of a photo, as features for training were made, "
            + "instead of only as many as the encoder reads (slower on large photos; captions rarely differ).")
    boolean exact;

    /** @return whether every pixel is decoded */
    public boolean exact() {
        return exact;
    }
}
