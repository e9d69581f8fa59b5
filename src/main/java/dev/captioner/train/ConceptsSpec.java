package dev.captioner.train;

import dev.captioner.data.Cleaning;

/**
 * What a user asks of the concepts encoder's training ({@code captioner encoder train}).
 *
 * @param imageSize input size in pixels
 * @param labels how many concepts
 * @param epochs passes over the training split
 * @param batchSize images per step
 * @param learningRate Adam's learning rate
 * @param featureDim feature length
 * @param seed seed of initialisation and of every epoch's randomness
 * @param cleaning how captions are cleaned into words
 */
public record ConceptsSpec(int imageSize, int labels, int epochs, int batchSize, float learningRate, int featureDim,
        long seed, Cleaning cleaning) {

    /** Validates the settings, with the limits the saved encoder's settings are held to. */
    public ConceptsSpec {
        if (imageSize < 32 || imageSize > 256 || imageSize % 16 != 0) {
            throw new IllegalArgumentException("size must be a multiple of 16 from 32 to 256, was " + imageSize);
        }
        if (labels < 1 || labels > 4096) {
            throw new IllegalArgumentException("labels must be between 1 and 4096, was " + labels);
        }
        if (epochs < 1 || epochs > 10_000) {
            throw new IllegalArgumentException("epochs must be between 1 and 10000, was " + epochs);
        }
        if (batchSize < 1 || batchSize > 4096) {
            throw new IllegalArgumentException("batch size must be between 1 and 4096, was " + batchSize);
        }
        if (!(learningRate > 0 && learningRate < 10) || featureDim < 1 || cleaning == null) {
            throw new IllegalArgumentException("learning rate must be in (0, 10), feature size positive, cleaning set");
        }
    }

    /** Defaults: 64 px, 96 concepts, 12 epochs, batch 32, lr 2e-3, 256-d, seed 42, the tutorial's cleaning. */
    public static ConceptsSpec defaults() {
        return new ConceptsSpec(64, 96, 12, 32, 2e-3f, 256, 42, Cleaning.KERAS_TUTORIAL);
    }
}
