package dev.captioner.train;

/**
 * The seeds a training run derives from its {@code --seed}: one for initialisation, and one per
 * epoch for the batch order and one per epoch for the engine's generator (dropout masks). Each
 * depends on the run seed and the epoch number alone, never on what ran before, so a run resumed
 * after epoch N makes the same random draws in epoch N + 1 as an uninterrupted run.
 */
final class RandomSeeds {

    private RandomSeeds() {}

    /** @return the engine seed for parameter initialisation */
    static int initialisation(long seed) {
        return (int) seed;
    }

    /** @return the seed of epoch {@code epoch}'s batch order */
    static long shuffle(long seed, int epoch) {
        return seed * 1_000_003L + epoch;
    }

    /** @return the engine seed for epoch {@code epoch}'s dropout masks */
    static int dropout(long seed, int epoch) {
        // SplitMix64's finaliser: neighbouring seeds and epochs give unrelated streams.
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (int) (z & 0x7FFFFFFF);
    }
}
