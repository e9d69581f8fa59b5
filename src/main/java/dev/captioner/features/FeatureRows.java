package dev.captioner.features;

/**
 * The feature rows of a feature file, by index: in memory for pooled vectors and small grids, or
 * read from the file on demand for grids too large for the heap. Implementations are safe to read
 * from several threads at once.
 */
public interface FeatureRows {

    /** @return how many rows */
    int size();

    /** @return the length of each row */
    int dim();

    /**
     * Copies a row.
     *
     * @param row the row's index
     * @param dst where to copy it
     * @param offset where in {@code dst}
     */
    void copy(int row, float[] dst, int offset);

    /**
     * @param row the row's index
     * @return a copy of the row
     */
    default float[] row(int row) {
        float[] out = new float[dim()];
        copy(row, out, 0);
        return out;
    }

    /**
     * Rows kept in memory.
     *
     * @param rows {@code [N][D]}, not copied
     * @param dim the length of each row (needed when there are none)
     * @return the rows
     */
    static FeatureRows of(float[][] rows, int dim) {
        for (float[] r : rows) {
            if (r.length != dim) {
                throw new IllegalArgumentException("feature row of length " + r.length + ", expected " + dim);
            }
        }
        return new FeatureRows() {
            @Override
            public int size() {
                return rows.length;
            }

            @Override
            public int dim() {
                return dim;
            }

            @Override
            public void copy(int row, float[] dst, int offset) {
                System.arraycopy(rows[row], 0, dst, offset, dim);
            }

            @Override
            public float[] row(int row) {
                return rows[row].clone();
            }
        };
    }
}
