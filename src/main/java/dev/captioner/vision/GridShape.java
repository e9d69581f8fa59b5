package dev.captioner.vision;

/**
 * The spatial grid of annotation vectors an encoder gives in place of one pooled vector: a
 * {@code height × width} map of {@code depth}-dimensional vectors, stored location-major in
 * channels-last order (location {@code l = row * width + column}, then the channel), as Keras
 * lays out a convolution's output.
 *
 * @param height rows of the map
 * @param width columns of the map
 * @param depth length of each annotation vector
 */
public record GridShape(int height, int width, int depth) {

    /** Validates the sizes. */
    public GridShape {
        if (height < 1 || width < 1 || depth < 1) {
            throw new IllegalArgumentException("a grid needs positive sizes, was " + height + "x" + width + "x" + depth);
        }
    }

    /** @return {@code height × width}: how many annotation vectors */
    public int locations() {
        return height * width;
    }

    /** @return {@code locations × depth}: the length of a flattened grid */
    public int size() {
        return locations() * depth;
    }

    @Override
    public String toString() {
        return height + "x" + width + "x" + depth;
    }
}
