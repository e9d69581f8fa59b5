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
 * @param warmup steps over which the learning rate rises linearly to {@code learningRate}
 * @param decay how the rate falls after the warm-up (inverse square root of the step, the
 *     default; or linearly to the end of the last epoch); with neither warm-up nor linear decay
 *     the rate is constant
 */
public record TrainConfig(
        @JsonProperty("epochs") int epochs,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("learning_rate") float learningRate,
        @JsonProperty("clip_norm") float clipNorm,
        @JsonProperty("patience") int patience,
        @JsonProperty("objective") Objective objective,
        @JsonProperty("seed") long seed,
        @JsonProperty("warmup") int warmup,
        @JsonProperty("decay") Decay decay) {

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
        if (warmup < 0 || warmup > 1_000_000) {
            throw new IllegalArgumentException("warmup must be 0 to 1000000 steps, was " + warmup);
        }
        // Checkpoints written before the decay was a setting used the inverse square root.
        decay = decay == null ? Decay.INVERSE_SQRT : decay;
    }

    /** Settings with a constant learning rate. */
    public TrainConfig(int epochs, int batchSize, float learningRate, float clipNorm, int patience, Objective objective,
            long seed) {
        this(epochs, batchSize, learningRate, clipNorm, patience, objective, seed, 0, Decay.INVERSE_SQRT);
    }

    /**
     * @param warmupSteps steps of linear warm-up
     * @param how the decay after it
     * @return these settings with that schedule
     */
    public TrainConfig withSchedule(int warmupSteps, Decay how) {
        return new TrainConfig(epochs, batchSize, learningRate, clipNorm, patience, objective, seed, warmupSteps, how);
    }

    /**
     * The learning rate's multiplier: it rises as {@code step / warmup} to 1 when the warm-up
     * ends, then falls as {@code sqrt(warmup / step)} (the transformer's schedule) or in a straight
     * line that reaches {@code 1 / (totalSteps - warmup)} at the last step.
     *
     * @param step the update about to be made, counted from 1
     * @param totalSteps updates in the whole run ({@code epochs} × batches per epoch)
     * @return the multiplier; 1 throughout with neither warm-up nor linear decay
     */
    public double rateFactor(long step, long totalSteps) {
        if (step <= warmup) {
            return (double) step / warmup;
        }
        return switch (decay) {
            case INVERSE_SQRT -> warmup == 0 ? 1 : Math.sqrt((double) warmup / step);
            case LINEAR -> Math.max(1, totalSteps - step + 1) / (double) Math.max(1, totalSteps - warmup);
        };
    }

    /** @return the defaults: 20 epochs, batches of 64, Adam 1e-3, clip 5, patience 3, sequence, seed 42 */
    public static TrainConfig defaults() {
        return new TrainConfig(20, 64, 1e-3f, 5f, 3, Objective.SEQUENCE, 42);
    }

    /**
     * @param a an architecture
     * @return {@link #defaults()} with the schedule its {@link Architecture#recipe() recipe} says
     */
    public static TrainConfig defaults(Architecture a) {
        return defaults().withSchedule(a.recipe().warmup(), a.recipe().decay());
    }
}
