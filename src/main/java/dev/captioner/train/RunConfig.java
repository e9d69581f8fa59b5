package dev.captioner.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What every training run has, whatever it trains: how long, how fast, how it stops, and the
 * seed of its randomness. {@link TrainConfig} and {@link FinetuneConfig} hold one (saved flat,
 * beside their own settings).
 *
 * @param epochs most epochs
 * @param learningRate Adam's learning rate (the peak, under a schedule)
 * @param clipNorm largest global gradient norm; larger gradients are scaled down to it
 * @param patience epochs without a better dev score before stopping
 * @param seed seed of initialisation and of every epoch's randomness
 */
public record RunConfig(
        @JsonProperty("epochs") int epochs,
        @JsonProperty("learning_rate") float learningRate,
        @JsonProperty("clip_norm") float clipNorm,
        @JsonProperty("patience") int patience,
        @JsonProperty("seed") long seed) {

    /** Validates the settings. */
    public RunConfig {
        if (epochs < 1 || epochs > 10_000) {
            throw new IllegalArgumentException("epochs must be between 1 and 10000, was " + epochs);
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
    }

    /**
     * @param n most epochs
     * @return these settings with that many
     */
    public RunConfig withEpochs(int n) {
        return new RunConfig(n, learningRate, clipNorm, patience, seed);
    }

    /**
     * @param rate the learning rate
     * @return these settings with it
     */
    public RunConfig withLearningRate(float rate) {
        return new RunConfig(epochs, rate, clipNorm, patience, seed);
    }

    /**
     * @param s the seed
     * @return these settings with it
     */
    public RunConfig withSeed(long s) {
        return new RunConfig(epochs, learningRate, clipNorm, patience, s);
    }
}
