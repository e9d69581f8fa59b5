package dev.captioner.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How a caption model is trained.
 *
 * @param epochs most passes over the training captions
 * @param batchSize captions per step
 * @param learningRate Adam's learning rate
 * @param clipNorm largest global gradient norm; larger gradients are scaled down to it
 * @param patience epochs without a better dev loss before stopping
 * @param objective sequence (O(L)) or pairs (the seed's O(L²) expansion)
 * @param seed seed of initialisation, dropout and shuffling
 */
public record TrainConfig(
        @JsonProperty("epochs") int epochs,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("learning_rate") float learningRate,
        @JsonProperty("clip_norm") float clipNorm,
        @JsonProperty("patience") int patience,
        @JsonProperty("objective") Objective objective,
        @JsonProperty("seed") long seed) {

    /** Validates the settings. */
    public TrainConfig {
        if (epochs < 1 || epochs > 10_000) {
            throw new IllegalArgumentException("epochs must be between 1 and 10000, was " + epochs);
        }
        if (batchSize < 1 || batchSize > 100_000) {
            throw new IllegalArgumentException("batch size must be between 1 and 100000, was " + batchSize);
        }
        if (!(learningRate > 0 && learningRate < 10)) {
            throw new IllegalArgumentException("learning rate must be in (0, 10), was " + learningRate);
        }
        if (!(clipNorm > 0)) {
            throw new IllegalArgumentException("clip norm must be positive, was " + clipNorm);
        }
        if (patience < 1) {
            throw new IllegalArgumentException("patience must be at least 1, was " + patience);
        }
        if (objective == null) {
            throw new IllegalArgumentException("objective is required");
        }
    }

    /** @return the defaults: 20 epochs, batches of 64, Adam 1e-3, clip 5, patience 3, sequence, seed 42 */
    public static TrainConfig defaults() {
        return new TrainConfig(20, 64, 1e-3f, 5f, 3, Objective.SEQUENCE, 42);
    }
}
