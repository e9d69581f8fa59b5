package dev.captioner.data;

import java.nio.file.Path;

/**
 * How to read a dataset.
 *
 * @param format the layout, or null to detect it
 * @param lenient skip malformed caption lines (counting them) instead of failing
 * @param seed seed of the random split used when the dataset has no split lists
 * @param splitsDir a folder with Flickr8k-style split lists that override the dataset's, or null
 */
public record LoadSpec(DatasetFormat format, boolean lenient, long seed, Path splitsDir) {

    /** The default seed of random splits. */
    public static final long DEFAULT_SEED = 42;

    /** @return detect the format, strict parsing, default seed, no split override */
    public static LoadSpec defaults() {
        return new LoadSpec(null, false, DEFAULT_SEED, null);
    }

    /**
     * @param f the layout to use instead of detection
     * @return a copy with the format set
     */
    public LoadSpec withFormat(DatasetFormat f) {
        return new LoadSpec(f, lenient, seed, splitsDir);
    }

    /**
     * @param l whether to skip malformed lines
     * @return a copy with leniency set
     */
    public LoadSpec withLenient(boolean l) {
        return new LoadSpec(format, l, seed, splitsDir);
    }

    /**
     * @param s the split seed
     * @return a copy with the seed set
     */
    public LoadSpec withSeed(long s) {
        return new LoadSpec(format, lenient, s, splitsDir);
    }

    /**
     * @param dir folder of split lists
     * @return a copy with the split override set
     */
    public LoadSpec withSplitsDir(Path dir) {
        return new LoadSpec(format, lenient, seed, dir);
    }
}
