package dev.captioner.train;

import dev.captioner.model.Decay;
import dev.captioner.model.Architecture;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * How a caption model is trained.
 *
 * @param run epochs, learning rate, clipping, patience (epochs without a better dev loss) and seed
 * @param batchSize captions per step
 * @param objective sequence (O(L)) or pairs (the Keras tutorial's O(L²) expansion)
 * @param warmup steps over which the learning rate rises linearly to the run's rate
 * @param decay how the rate falls after the warm-up (inverse square root of the step, the
 *     default; or linearly to the end of the last epoch); with neither warm-up nor linear decay
 *     the rate is constant
 */
public record TrainConfig(
        @JsonUnwrapped RunConfig run,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("objective") Objective objective,
        @JsonProperty("warmup") int warmup,
        @JsonProperty("decay") Decay decay) {

    /** Validates the settings. */
    public TrainConfig {
        if (run == null) {
            throw new IllegalArgumentException("epochs, learning rate, clipping, patience and seed are required");
        }
        if (batchSize < 1 || batchSize > 100_000) {
            throw new IllegalArgumentException("batch size must be between 1 and 100000, was " + batchSize);
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
        this(new RunConfig(epochs, learningRate, clipNorm, patience, seed), batchSize, objective, 0, Decay.INVERSE_SQRT);
    }

    /** @return most passes over the training captions */
    public int epochs() {
        return run.epochs();
    }

    /** @return Adam's (peak) learning rate */
    public float learningRate() {
        return run.learningRate();
    }

    /** @return largest global gradient norm */
    public float clipNorm() {
        return run.clipNorm();
    }

    /** @return epochs without a better dev loss before stopping */
    public int patience() {
        return run.patience();
    }

    /** @return seed of initialisation, dropout and shuffling */
    public long seed() {
        return run.seed();
    }

    /**
     * @param warmupSteps steps of linear warm-up
     * @param how the decay after it
     * @return these settings with that schedule
     */
    public TrainConfig withSchedule(int warmupSteps, Decay how) {
        return new TrainConfig(run, batchSize, objective, warmupSteps, how);
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

    /** @return 20 epochs, batches of 64, Adam 1e-3, clip 5, patience 3, the sequence objective, seed 42 */
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
