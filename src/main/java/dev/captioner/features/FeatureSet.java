package dev.captioner.features;

import dev.captioner.vision.FeatureKind;
import dev.captioner.vision.GridShape;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Image features as stored in a feature file: row {@code i} belongs to image {@code ids().get(i)}.
 * A row is one pooled vector, or (with {@link #grid()}) a grid of annotation vectors flattened
 * location-major, channels last.
 *
 * @param ids image file names
 * @param rows the rows, {@code [N, featureDim]}
 * @param encoder the encoder's name
 * @param featureDim length of each row ({@code H × W × D} for a grid)
 * @param weightsSha256 SHA-256 of the encoder's weights
 * @param imageSize the encoder's input size in pixels
 * @param weightsPath where the encoder's weights were (a hint for finding them again), or null
 * @param grid the grid's shape, or null for pooled vectors
 * @param encoderCard the card of an exported encoder, as JSON, or null
 */
public record FeatureSet(List<String> ids, FeatureRows rows, String encoder, int featureDim, String weightsSha256,
        int imageSize, String weightsPath, GridShape grid, String encoderCard) {

    /** Checks that rows, ids and grid agree. */
    public FeatureSet {
        ids = List.copyOf(ids);
        if (rows.size() != ids.size()) {
            throw new IllegalArgumentException(ids.size() + " ids but " + rows.size() + " feature rows");
        }
        if (rows.dim() != featureDim) {
            throw new IllegalArgumentException("feature rows of length " + rows.dim() + ", expected " + featureDim);
        }
        if (grid != null && grid.size() != featureDim) {
            throw new IllegalArgumentException("a " + grid + " grid has " + grid.size() + " values, rows have " + featureDim);
        }
    }

    /** Features of an encoder without a card. */
    public FeatureSet(List<String> ids, FeatureRows rows, String encoder, int featureDim, String weightsSha256,
            int imageSize, String weightsPath, GridShape grid) {
        this(ids, rows, encoder, featureDim, weightsSha256, imageSize, weightsPath, grid, null);
    }

    /** Pooled features held in memory, with where the weights were. */
    public FeatureSet(List<String> ids, float[][] features, String encoder, int featureDim, String weightsSha256,
            int imageSize, String weightsPath) {
        this(ids, FeatureRows.of(features, featureDim), encoder, featureDim, weightsSha256, imageSize, weightsPath, null);
    }

    /** Pooled features held in memory, without a recorded weights location. */
    public FeatureSet(List<String> ids, float[][] features, String encoder, int featureDim, String weightsSha256,
            int imageSize) {
        this(ids, features, encoder, featureDim, weightsSha256, imageSize, null);
    }

    /** @return pooled vectors or grids */
    public FeatureKind kind() {
        return grid == null ? FeatureKind.POOLED : FeatureKind.GRID;
    }

    /** @return every row in memory, {@code [N][featureDim]}: for small sets only */
    public float[][] features() {
        float[][] out = new float[size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.row(i);
        }
        return out;
    }

    /**
     * @return one vector per image: the rows themselves, or a grid's mean over its locations
     *     ({@code [N][D]}), what plots of the features use
     */
    public float[][] pooled() {
        if (grid == null) {
            return features();
        }
        int l = grid.locations();
        int d = grid.depth();
        float[][] out = new float[size()][d];
        float[] row = new float[featureDim];
        for (int i = 0; i < out.length; i++) {
            rows.copy(i, row, 0);
            for (int p = 0; p < l; p++) {
                for (int c = 0; c < d; c++) {
                    out[i][c] += row[p * d + c] / l;
                }
            }
        }
        return out;
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
