package dev.captioner.data;

/**
 * Settings of the synthetic shapes dataset.
 *
 * @param images number of images (at least 8, so that every split gets some)
 * @param size width and height of each image in pixels (32 to 1024)
 * @param seed seed of everything random: scenes, captions, split
 */
public record SynthSpec(int images, int size, long seed) {

    /** Default number of images. */
    public static final int DEFAULT_IMAGES = 2000;
    /** Default image size in pixels. */
    public static final int DEFAULT_SIZE = 96;

    /** Checks the ranges. */
    public SynthSpec {
        if (images < 8 || images > 1_000_000) {
            throw new IllegalArgumentException("images must be between 8 and 1000000, was " + images);
        }
        if (size < 32 || size > 1024) {
            throw new IllegalArgumentException("size must be between 32 and 1024 pixels, was " + size);
        }
    }
}
