package dev.captioner.features;

import java.util.List;

/**
 * Where one finished feature row is (a row of some {@link FeatureRows}), so rows gathered from
 * an earlier file and from checkpoint chunks can be written out without all being in the heap.
 *
 * @param rows the rows it is in
 * @param index its index there
 */
record RowRef(FeatureRows rows, int index) {

    /**
     * @param refs rows in the order wanted
     * @param dim their length
     * @return them as one {@link FeatureRows}
     */
    static FeatureRows concat(List<RowRef> refs, int dim) {
        List<RowRef> copy = List.copyOf(refs);
        return new FeatureRows() {
            @Override
            public int size() {
                return copy.size();
            }

            @Override
            public int dim() {
                return dim;
            }

            @Override
            public void copy(int row, float[] dst, int offset) {
                RowRef r = copy.get(row);
                r.rows().copy(r.index(), dst, offset);
            }
        };
    }
}
