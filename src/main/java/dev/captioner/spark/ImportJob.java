package dev.captioner.spark;

import dev.captioner.features.FeatureRows;
import dev.captioner.features.FeatureSet;
import dev.captioner.features.FeatureStore;
import dev.captioner.util.CaptionerException;
import dev.captioner.vision.GridShape;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Turns the Parquet rows of {@link FeatureJob} into the HDF5 feature store that
 * {@code captioner train} reads, on the driver: the rows stream through
 * {@code toLocalIterator} (one partition at a time, never the whole table) into the store, which
 * is written row by row. Rows with an error are left out.
 */
public final class ImportJob {

    /**
     * What was imported.
     *
     * @param rows feature rows written
     * @param skipped rows left out for their error
     */
    public record Result(int rows, long skipped) {}

    private ImportJob() {}

    /**
     * @param spark the session
     * @param parquet the feature table's URI
     * @param out the HDF5 file to write (atomically)
     * @return counts
     * @throws CaptionerException for a table that is not a feature table, mixes encoders, or
     *     names an image twice
     */
    public static Result run(SparkSession spark, String parquet, Path out) {
        Dataset<Row> all = spark.read().parquet(parquet);
        for (String column : List.of("name", "features", "error", "encoder", "weights_sha256", "image_size", "feature_dim")) {
            if (!List.of(all.columns()).contains(column)) {
                throw new CaptionerException(parquet + ": no column '" + column + "'; not a table written by 'features'");
            }
        }
        Dataset<Row> good = all.where("error IS NULL").orderBy("path");
        long skipped = all.where("error IS NOT NULL").count();
        boolean cards = List.of(all.columns()).contains("encoder_card");
        List<Row> made = good.select("encoder", "weights_sha256", "image_size", "feature_dim", "grid_height", "grid_width",
                cards ? "encoder_card" : "grid_width").distinct().collectAsList();
        if (made.size() != 1) {
            throw new CaptionerException(parquet + ": " + (made.isEmpty() ? "no feature rows without an error"
                    : "rows made with " + made.size() + " different encoders or settings; import one at a time"));
        }
        Row m = made.get(0);
        int depth = m.getInt(3);
        GridShape grid = m.isNullAt(4) ? null : new GridShape(m.getInt(4), m.getInt(5), depth);
        int dim = grid == null ? depth : grid.size();
        // The names are small and needed first (the store writes them before the rows); the
        // features come after them, in the same order, one partition at a time.
        List<String> names = good.select("name").as(Encoders.STRING()).collectAsList();
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (!seen.add(n)) {
                throw new CaptionerException(parquet + ": image name '" + n + "' appears twice (files with the same "
                        + "name in different folders); import them separately");
            }
        }
        Iterator<Row> rows = good.select("features").toLocalIterator();
        FeatureStore.write(out, new FeatureSet(names, new SequentialRows(rows, names.size(), dim), m.getString(0), dim,
                m.getString(1), m.getInt(2), null, grid, cards && !m.isNullAt(6) ? m.getString(6) : null));
        return new Result(names.size(), skipped);
    }

    /** Rows read once, in order, from an iterator: what the store's row-by-row writer asks for. */
    private static final class SequentialRows implements FeatureRows {
        private final Iterator<Row> rows;
        private final int size;
        private final int dim;
        private int next;

        SequentialRows(Iterator<Row> rows, int size, int dim) {
            this.rows = rows;
            this.size = size;
            this.dim = dim;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public int dim() {
            return dim;
        }

        @Override
        public void copy(int row, float[] dst, int offset) {
            if (row != next || !rows.hasNext()) {
                throw new IllegalStateException("feature rows are read once, in order: asked for " + row + " at " + next);
            }
            next++;
            List<Float> values = rows.next().getList(0);
            int n = values.size();
            for (int i = 0; i < Math.min(n, dim); i++) {
                dst[offset + i] = values.get(i);
            }
            if (n != dim) {
                throw new CaptionerException("feature row " + row + " has " + n + " values, expected " + dim);
            }
        }
    }
}
