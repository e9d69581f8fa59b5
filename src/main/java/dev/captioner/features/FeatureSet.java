package dev.captioner.features;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Image features as stored in a feature file: row {@code i} of {@link #features()} belongs to
 * image {@code ids().get(i)}.
 *
 * @param ids image file names
 * @param features {@code [N, featureDim]} vectors
 * @param encoder the encoder's name
 * @param featureDim length of each vector
 * @param weightsSha256 SHA-256 of the encoder's weights
 * @param imageSize the encoder's input size in pixels
 * @param weightsPath where the encoder's weights were (a hint for finding them again), or null
 */
public record FeatureSet(List<String> ids, float[][] features, String encoder, int featureDim, String weightsSha256,
        int imageSize, String weightsPath) {

    /** Checks that rows and ids agree. */
    public FeatureSet {
        ids = List.copyOf(ids);
        if (features.length != ids.size()) {
            throw new IllegalArgumentException(ids.size() + " ids but " + features.length + " feature rows");
        }
        for (float[] row : features) {
            if (row.length != featureDim) {
                throw new IllegalArgumentException("feature row of length " + row.length + ", expected " + featureDim);
            }
        }
    }

    /** Features without a recorded weights location. */
    public FeatureSet(List<String> ids, float[][] features, String encoder, int featureDim, String weightsSha256,
            int imageSize) {
        this(ids, features, encoder, featureDim, weightsSha256, imageSize, null);
    }

    /** @return image name to row index */
    public Map<String, Integer> index() {
        Map<String, Integer> m = new HashMap<>(ids.size() * 2);
        for (int i = 0; i < ids.size(); i++) {
            m.put(ids.get(i), i);
        }
        return m;
    }

    /**
     * Checks that every named image has a feature row.
     *
     * @param names image names
     * @param what which images, for the message (e.g. "train")
     * @throws dev.captioner.util.CaptionerException naming how many and the first ten missing
     */
    public void requireAll(List<String> names, String what) {
        Map<String, Integer> index = index();
        List<String> missing = names.stream().filter(n -> !index.containsKey(n)).toList();
        if (!missing.isEmpty()) {
            throw new dev.captioner.util.CaptionerException("the feature file has no features for " + missing.size()
                    + " of the " + names.size() + " " + what + " images (first " + Math.min(10, missing.size()) + ": "
                    + String.join(", ", missing.subList(0, Math.min(10, missing.size())))
                    + "); run 'captioner features' on the same dataset");
        }
    }

    /** @return how many images */
    public int size() {
        return ids.size();
    }
}
