package dev.captioner.features;

import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.Hdf5Files;
import dev.captioner.vision.FeatureKind;
import dev.captioner.vision.GridShape;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ContiguousDataset;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.exceptions.HdfException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Reads and writes feature files: HDF5 with dataset {@code ids} (strings), dataset
 * {@code features} (float32: {@code [N, D]} pooled vectors, or {@code [N, H·W, D]} grids whose
 * annotation index runs row-major over height then width) and root attributes {@code encoder},
 * {@code feature_kind} ({@code pooled} or {@code grid}), {@code feature_dim} ({@code D}),
 * {@code grid_height} and {@code grid_width} (grids), {@code weights_sha256}, {@code image_size}
 * (and {@code weights_path}, where the weights were, when known); readable by h5py with no
 * custom code. A file without {@code feature_kind} holds pooled vectors. Rows are written one at a
 * time and large stores read on demand, so neither needs the whole store in the heap. Files are
 * written to a temporary name and renamed, so a file under the final name is always complete.
 */
public final class FeatureStore {

    private FeatureStore() {}

    /**
     * @param file where to write (atomically)
     * @param set the features
     */
    public static void write(Path file, FeatureSet set) {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = AtomicFiles.tempSibling(file);
            try (WritableHdfFile h5 = HdfFile.write(tmp)) {
                h5.putDataset("ids", set.ids().toArray(String[]::new));
                GridShape shape = set.grid();
                int[] rowShape = shape == null ? new int[] {set.featureDim()} : new int[] {shape.locations(), shape.depth()};
                h5.putDataset("features", new StreamedRowsDataset(set.rows(), rowShape, "features", h5));
                h5.putAttribute("encoder", set.encoder());
                h5.putAttribute("feature_kind", set.kind().id());
                GridShape grid = set.grid();
                h5.putAttribute("feature_dim", grid == null ? set.featureDim() : grid.depth());
                if (grid != null) {
                    h5.putAttribute("grid_height", grid.height());
                    h5.putAttribute("grid_width", grid.width());
                }
                h5.putAttribute("weights_sha256", set.weightsSha256());
                h5.putAttribute("image_size", set.imageSize());
                if (set.weightsPath() != null) {
                    h5.putAttribute("weights_path", set.weightsPath());
                }
                if (set.encoderCard() != null) {
                    h5.putAttribute("encoder_card", set.encoderCard());
                }
            }
            AtomicFiles.commit(tmp, file);
            tmp = null;
        } catch (IOException | HdfException e) {
            throw new CaptionerException(file + ": cannot write features: " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a temporary name, never mistaken for the real file
                }
            }
        }
    }

    /**
     * Reads a feature file; a features dataset larger than {@link #inMemoryLimit()} is read row
     * by row from the file when asked for, not into the heap.
     *
     * @param file a feature file
     * @return its content
     * @throws CaptionerException naming the file and what is missing if it is not one
     */
    public static FeatureSet read(Path file) {
        return read(file, inMemoryLimit());
    }

    /**
     * @return the largest features dataset read into the heap: an eighth of the maximum heap, at
     *     most 512 MB (Flickr8k's pooled VGG16 vectors, 133 MB, fit; its grids, 3.2 GB, do not)
     */
    public static long inMemoryLimit() {
        return Math.min(512L << 20, Runtime.getRuntime().maxMemory() / 8);
    }

    /**
     * @param file a feature file
     * @param inMemoryBytes the largest features dataset read into the heap; a larger one that is
     *     stored contiguously (as captioner and h5py write it without compression) is read on demand
     * @return its content
     * @throws CaptionerException naming the file and what is missing if it is not one
     */
    public static FeatureSet read(Path file, long inMemoryBytes) {
        if (!Files.isRegularFile(file)) {
            throw new CaptionerException(file + ": no such feature file");
        }
        try (HdfFile h5 = new HdfFile(file)) {
            Hdf5Files.requireComplete(h5, file);
            Dataset ids = dataset(file, h5, "ids");
            Dataset features = dataset(file, h5, "features");
            String encoder = string(file, h5.getAttribute("encoder"), "encoder");
            String sha = string(file, h5.getAttribute("weights_sha256"), "weights_sha256");
            int dim = number(file, h5.getAttribute("feature_dim"), "feature_dim");
            int size = number(file, h5.getAttribute("image_size"), "image_size");
            int[] shape = features.getDimensions();
            GridShape grid = grid(file, h5, dim, shape);
            int rank = grid == null ? 2 : 3;
            if (shape.length != rank || shape[rank - 1] != dim || (grid != null && shape[1] != grid.locations())) {
                throw new CaptionerException(file + ": dataset 'features' has shape " + Arrays.toString(shape)
                        + ", expected " + (grid == null ? "[N, " + dim + "]" : "[N, " + grid.locations() + ", " + dim + "]")
                        + " (attributes feature_dim" + (grid == null ? "" : ", grid_height, grid_width") + ")");
            }
            if (features.getJavaType() != float.class) {
                throw new CaptionerException(file + ": dataset 'features' holds " + features.getJavaType().getSimpleName()
                        + " values, expected float32");
            }
            int[] idShape = ids.getDimensions();
            if (idShape.length != 1 || idShape[0] != shape[0] || (shape[0] > 0 && ids.getJavaType() != String.class)) {
                throw new CaptionerException(file + ": dataset 'ids' must hold one string per feature row (" + shape[0]
                        + "), has shape " + Arrays.toString(idShape) + " of " + ids.getJavaType().getSimpleName());
            }
            String[] names = shape[0] == 0 ? new String[0] : (String[]) ids.getData();
            int rowDim = grid == null ? dim : grid.size();
            FeatureRows rows;
            if (shape[0] > 0 && (long) shape[0] * rowDim * Float.BYTES > inMemoryBytes
                    && features instanceof ContiguousDataset contiguous
                    && features.getDataType() instanceof FloatingPoint fp) {
                rows = new FileFeatureRows(file, h5.getUserBlockSize() + contiguous.getDataAddress(), shape[0], rowDim,
                        fp.getByteOrder());
            } else {
                rows = FeatureRows.of(shape[0] == 0 ? new float[0][rowDim] : flatRows(features, grid), rowDim);
            }
            Attribute path = h5.getAttribute("weights_path");
            Attribute card = h5.getAttribute("encoder_card");
            return new FeatureSet(List.of(names), rows, encoder, rowDim, sha, size,
                    path == null ? null : String.valueOf(path.getData()), grid,
                    card == null ? null : String.valueOf(card.getData()));
        } catch (CaptionerException e) {
            throw e;
        } catch (RuntimeException e) {
            // jHDF throws its own and plain runtime exceptions on truncated and malformed files.
            throw new CaptionerException(file + ": not a readable captioner feature file (truncated or not HDF5?): "
                    + e.getMessage(), e);
        }
    }

    /** The grid a file's attributes describe, or null for pooled features. */
    private static GridShape grid(Path file, HdfFile h5, int dim, int[] shape) {
        Attribute kind = h5.getAttribute("feature_kind");
        boolean isGrid = kind != null ? FeatureKind.GRID.id().equals(String.valueOf(kind.getData())) : shape.length == 3;
        if (!isGrid) {
            return null;
        }
        int height = number(file, h5.getAttribute("grid_height"), "grid_height");
        int width = number(file, h5.getAttribute("grid_width"), "grid_width");
        if (height < 1 || width < 1) {
            throw new CaptionerException(file + ": attributes grid_height and grid_width must be positive");
        }
        return new GridShape(height, width, dim);
    }

    /** @return each row flattened: a grid's {@code [L][D]} location-major, channels last */
    private static float[][] flatRows(Dataset features, GridShape grid) {
        if (grid == null) {
            return (float[][]) features.getData();
        }
        float[][][] data = (float[][][]) features.getData();
        float[][] rows = new float[data.length][grid.size()];
        for (int i = 0; i < data.length; i++) {
            for (int l = 0; l < grid.locations(); l++) {
                System.arraycopy(data[i][l], 0, rows[i], l * grid.depth(), grid.depth());
            }
        }
        return rows;
    }

    private static Dataset dataset(Path file, HdfFile h5, String name) {
        Node node = h5.getChild(name);
        if (!(node instanceof Dataset d)) {
            throw new CaptionerException(file + ": no dataset '" + name + "'; not a captioner feature file");
        }
        return d;
    }

    private static String string(Path file, Attribute a, String name) {
        if (a == null) {
            throw new CaptionerException(file + ": missing attribute '" + name + "'");
        }
        return String.valueOf(a.getData());
    }

    private static int number(Path file, Attribute a, String name) {
        if (a == null || !(a.getData() instanceof Number n)) {
            throw new CaptionerException(file + ": missing numeric attribute '" + name + "'");
        }
        return n.intValue();
    }
}
