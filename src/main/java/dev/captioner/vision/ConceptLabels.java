package dev.captioner.vision;

import dev.captioner.data.Cleaning;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chooses what the concepts encoder learns to see: the words and adjacent word pairs that the
 * most training images' captions contain. Pairs ("red circle", "circle above") keep which colour
 * goes with which shape and where. Concepts in nearly every image carry no information and are
 * skipped.
 */
public final class ConceptLabels {

    private static final double MAX_IMAGE_FRACTION = 0.9;

    private ConceptLabels() {}

    /**
     * @param imagesCaptions each training image's cleaned captions (words, markers excluded)
     * @param k how many labels
     * @return labels by descending image frequency, ties in first-seen order
     */
    public static List<String> select(Collection<List<List<String>>> imagesCaptions, int k) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (List<List<String>> captions : imagesCaptions) {
            for (String concept : concepts(captions)) {
                counts.computeIfAbsent(concept, c -> new int[1])[0]++;
            }
        }
        int n = imagesCaptions.size();
        List<Map.Entry<String, int[]>> ranked = new ArrayList<>(counts.entrySet());
        ranked.sort((a, b) -> Integer.compare(b.getValue()[0], a.getValue()[0]));
        List<String> labels = new ArrayList<>();
        for (Map.Entry<String, int[]> e : ranked) {
            if (e.getValue()[0] >= 2 && e.getValue()[0] <= MAX_IMAGE_FRACTION * n) {
                labels.add(e.getKey());
                if (labels.size() == k) {
                    break;
                }
            }
        }
        return labels;
    }

    /**
     * @param captions an image's cleaned captions
     * @return every word and adjacent pair they contain, in order of first appearance
     */
    public static Set<String> concepts(List<List<String>> captions) {
        Set<String> out = new LinkedHashSet<>();
        for (List<String> words : captions) {
            for (int i = 0; i < words.size(); i++) {
                if (Cleaning.isMarker(words.get(i))) {
                    continue;
                }
                out.add(words.get(i));
                if (i + 1 < words.size() && !Cleaning.isMarker(words.get(i + 1))) {
                    out.add(words.get(i) + " " + words.get(i + 1));
                }
            }
        }
        return out;
    }

    /**
     * @param labels the encoder's labels
     * @param captions an image's cleaned captions
     * @return 1 where the image shows the label, else 0
     */
    public static float[] targets(List<String> labels, List<List<String>> captions) {
        Set<String> present = concepts(captions);
        float[] t = new float[labels.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = present.contains(labels.get(i)) ? 1f : 0f;
        }
        return t;
    }

    /**
     * Mean over labels (with at least one positive) of average precision: the mean, over the
     * positives, of the precision of the ranking cut at each positive.
     *
     * @param scores {@code [images][labels]} predicted scores
     * @param targets {@code [images][labels]} 0/1 truth
     * @return mean average precision, or NaN if no label has a positive
     */
    public static double meanAveragePrecision(float[][] scores, float[][] targets) {
        int labels = targets.length == 0 ? 0 : targets[0].length;
        double sum = 0;
        int counted = 0;
        for (int l = 0; l < labels; l++) {
            final int label = l;
            Integer[] order = new Integer[scores.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            java.util.Arrays.sort(order, (a, b) -> Float.compare(scores[b][label], scores[a][label]));
            int positives = 0;
            double ap = 0;
            for (int rank = 0; rank < order.length; rank++) {
                if (targets[order[rank]][label] > 0.5f) {
                    positives++;
                    ap += (double) positives / (rank + 1);
                }
            }
            if (positives > 0) {
                sum += ap / positives;
                counted++;
            }
        }
        return counted == 0 ? Double.NaN : sum / counted;
    }

    /** @return the distinct concepts of several images, for tests and reports */
    static Set<String> union(Collection<Set<String>> sets) {
        Set<String> all = new HashSet<>();
        sets.forEach(all::addAll);
        return all;
    }
}
