package dev.captioner.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The split of a dataset that ships without split lists: images sorted by name, shuffled with
 * the seed, then cut in Flickr8k's official proportions (6000/1000/1000 of 8000). The same
 * names and seed always give the same split, on any JVM.
 */
public final class RandomSplit {

    /** Fraction of images in the training split. */
    public static final double TRAIN_FRACTION = 6000.0 / 8000.0;
    /** Fraction of images in the dev split. */
    public static final double DEV_FRACTION = 1000.0 / 8000.0;

    private RandomSplit() {}

    /**
     * @param names image names
     * @param seed shuffle seed
     * @return name to split
     */
    public static Map<String, Split> assign(Collection<String> names, long seed) {
        List<String> order = new ArrayList<>(names);
        Collections.sort(order);
        Collections.shuffle(order, new Random(seed));
        int n = order.size();
        int train = (int) Math.round(n * TRAIN_FRACTION);
        int dev = (int) Math.round(n * DEV_FRACTION);
        Map<String, Split> out = new HashMap<>();
        for (int i = 0; i < n; i++) {
            out.put(order.get(i), i < train ? Split.TRAIN : i < train + dev ? Split.DEV : Split.TEST);
        }
        return out;
    }
}
