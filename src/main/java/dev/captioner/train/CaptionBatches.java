package dev.captioner.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Groups captions into batches of similar length, so that little LSTM work goes into padding:
 * shuffle, cut into pools of 50 batches, sort each pool by length, cut into batches, shuffle the
 * batches. The same seed gives the same batches.
 */
public final class CaptionBatches {

    private static final int POOL_BATCHES = 50;

    private CaptionBatches() {}

    /**
     * @param examples the captions
     * @param batchSize captions per batch
     * @param random shuffling
     * @return batches covering every caption once
     */
    /**
     * @param examples how many captions an epoch trains on
     * @param batchSize captions per batch
     * @return how many batches {@link #shuffled} makes of them (the last of each pool may be short)
     */
    public static long count(int examples, int batchSize) {
        int pool = batchSize * POOL_BATCHES;
        long full = examples / pool;
        int rest = examples % pool;
        return full * POOL_BATCHES + (rest + batchSize - 1) / batchSize;
    }

    public static List<List<CaptionExample>> shuffled(List<CaptionExample> examples, int batchSize, Random random) {
        List<CaptionExample> order = new ArrayList<>(examples);
        Collections.shuffle(order, random);
        List<List<CaptionExample>> batches = new ArrayList<>();
        int pool = batchSize * POOL_BATCHES;
        for (int p = 0; p < order.size(); p += pool) {
            List<CaptionExample> chunk = new ArrayList<>(order.subList(p, Math.min(order.size(), p + pool)));
            chunk.sort(Comparator.comparingInt(e -> e.tokens().length));
            for (int b = 0; b < chunk.size(); b += batchSize) {
                batches.add(List.copyOf(chunk.subList(b, Math.min(chunk.size(), b + batchSize))));
            }
        }
        Collections.shuffle(batches, random);
        return batches;
    }

    /**
     * @param examples the captions
     * @param batchSize captions per batch
     * @return batches in a fixed order (sorted by length), for evaluation
     */
    public static List<List<CaptionExample>> ordered(List<CaptionExample> examples, int batchSize) {
        List<CaptionExample> order = new ArrayList<>(examples);
        order.sort(Comparator.comparingInt(e -> e.tokens().length));
        List<List<CaptionExample>> batches = new ArrayList<>();
        for (int b = 0; b < order.size(); b += batchSize) {
            batches.add(List.copyOf(order.subList(b, Math.min(order.size(), b + batchSize))));
        }
        return batches;
    }
}
