package dev.captioner.train;

import java.util.Random;

/**
 * An epoch's randomness, a function of the run's seed and the epoch's number alone, so that a
 * run resumed after epoch N draws exactly what an uninterrupted run draws in epoch N + 1.
 *
 * @param seed the run's seed
 * @param epoch the epoch
 */
public record EpochRandom(long seed, int epoch) {

    /** @return a fresh generator for the epoch's order of examples */
    public Random order() {
        return new Random(RandomSeeds.shuffle(seed, epoch));
    }

    /** @return a fresh generator for the epoch's other draws (samples) */
    public Random draws() {
        return new Random(RandomSeeds.dropout(seed, epoch));
    }

    /** @return the seed of the engine's own random numbers (dropout masks) for the epoch */
    public int engineSeed() {
        return RandomSeeds.dropout(seed, epoch);
    }
}
