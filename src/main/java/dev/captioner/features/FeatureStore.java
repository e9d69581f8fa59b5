package dev.captioner.features;

import dev.captioner.util.AtomicFiles;
import dev.captioner.util.CaptionerException;
import dev.captioner.util.Hdf5Files;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Reads and writes feature files: HDF5 with dataset {@code ids} (strings), dataset
 * {@code features} (float32, {@code [N, D]}) and root attributes {@code encoder},
 * {@code feature_dim}, {@code weights_sha256}, {@code image_size} (and {@code weights_path}, where
 * the weights were, when known); readable by h5py with no
 * custom code. Files are written to a temporary name and renamed, so a file under the final name
 * is always complete.
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
                h5.putDataset("features", set.size() == 0 ? new float[0][set.featureDim()] : set.features());
                h5.putAttribute("encoder", set.encoder());
                h5.putAttribute("feature_dim", set.featureDim());
                h5.putAttribute("weights_sha256", set.weightsSha256());
                h5.putAttribute("image_size", set.imageSize());
                if (set.weightsPath() != null) {
                    h5.putAttribute("weights_path", set.weightsPath());
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
     * @param file a feature file
     * @return its content
     * @throws CaptionerException naming the file and what is missing if it is not one
     */
    public static FeatureSet read(Path file) {
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
            if (shape.length != 2 || shape[1] != dim) {
                throw new CaptionerException(file + ": dataset 'features' has shape " + Arrays.toString(shape)
                        + ", expected [N, " + dim + "] (attribute feature_dim)");
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
            float[][] rows = shape[0] == 0 ? new float[0][dim] : (float[][]) features.getData();
            Attribute path = h5.getAttribute("weights_path");
            return new FeatureSet(List.of(names), rows, encoder, dim, sha, size,
                    path == null ? null : String.valueOf(path.getData()));
        } catch (CaptionerException e) {
            throw e;
        } catch (RuntimeException e) {
            // jHDF throws its own and plain runtime exceptions on truncated and malformed files.
            throw new CaptionerException(file + ": not a readable captioner feature file (truncated or not HDF5?): "
                    + e.getMessage(), e);
        }
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
