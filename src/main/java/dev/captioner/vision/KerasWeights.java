package dev.captioner.vision;

import dev.captioner.util.CaptionerException;
import dev.captioner.util.Hdf5Files;
import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The weights of a Keras model saved to HDF5, read the way Keras reads them: the root attribute
 * {@code layer_names} gives the layers in order; each layer's group has a {@code weight_names}
 * attribute naming its datasets (relative to the group). Keras 1 keeps the datasets directly in
 * the group ({@code block1_conv1_W_1:0}); Keras 2 one level down ({@code conv1/kernel:0}).
 * Weightless layers have no names (real files store an empty float64 array).
 */
public final class KerasWeights {

    /**
     * One weight array, in the file's layout (TensorFlow's, channels last).
     *
     * @param name dataset name
     * @param shape dimensions
     * @param data values, row-major
     */
    public record Weight(String name, int[] shape, float[] data) {}

    /**
     * A layer and its weights, in file order.
     *
     * @param name layer name
     * @param weights its weights, possibly none
     */
    public record Layer(String name, List<Weight> weights) {}

    private final Path file;
    private final List<Layer> layers;
    private final String kerasVersion;

    private KerasWeights(Path file, List<Layer> layers, String kerasVersion) {
        this.file = file;
        this.layers = List.copyOf(layers);
        this.kerasVersion = kerasVersion;
    }

    /**
     * Reads a weights file.
     *
     * @param file an HDF5 file written by Keras' {@code save_weights} (or {@code save})
     * @return its layers and weights
     * @throws CaptionerException naming the file and the missing part if it is not one
     */
    public static KerasWeights read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CaptionerException(file + ": no such weights file");
        }
        try (HdfFile hdf = new HdfFile(file)) {
            Hdf5Files.requireComplete(hdf, file);
            Group root = hdf;
            if (root.getAttribute("layer_names") == null && root.getChild("model_weights") instanceof Group g) {
                root = g;
            }
            String[] names = strings(root.getAttribute("layer_names"));
            if (names == null) {
                throw new CaptionerException(file + ": not a Keras weights file (no 'layer_names' attribute)");
            }
            Attribute version = hdf.getAttribute("keras_version");
            String kerasVersion = version == null ? "1" : String.valueOf(version.getData());
            List<Layer> layers = new ArrayList<>();
            for (String name : names) {
                Node node = root.getChild(name);
                if (!(node instanceof Group g)) {
                    throw new CaptionerException(file + ": layer '" + name + "' named in layer_names has no group");
                }
                String[] weightNames = strings(g.getAttribute("weight_names"));
                List<Weight> weights = new ArrayList<>();
                for (String wn : weightNames == null ? new String[0] : weightNames) {
                    Node d = g.getByPath(wn);
                    if (!(d instanceof Dataset ds)) {
                        throw new CaptionerException(file + ": weight '" + name + "/" + wn + "' is missing");
                    }
                    weights.add(new Weight(wn, ds.getDimensions(), floats(file, name + "/" + wn, ds.getDataFlat())));
                }
                layers.add(new Layer(name, weights));
            }
            return new KerasWeights(file, layers, kerasVersion);
        } catch (CaptionerException e) {
            throw e;
        } catch (HdfException e) {
            throw new CaptionerException(file + ": not a readable HDF5 file (truncated?): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // jHDF throws plain runtime exceptions on malformed files.
            throw new CaptionerException(file + ": not a readable Keras weights file (expected HDF5 with 'layer_names' "
                    + "and per-layer 'weight_names'): " + e, e);
        }
    }

    private static String[] strings(Attribute a) {
        if (a == null || a.isEmpty()) {
            return null;
        }
        Object d = a.getData();
        if (d instanceof String[] s) {
            return Arrays.stream(s).map(String::trim).toArray(String[]::new);
        }
        if (d instanceof String s) {
            return new String[] {s.trim()};
        }
        // An empty numeric array: a layer without weights.
        return null;
    }

    private static float[] floats(Path file, String name, Object data) {
        if (data instanceof float[] f) {
            return f;
        }
        if (data instanceof double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            return f;
        }
        throw new CaptionerException(file + ": weight '" + name + "' is not floating point");
    }

    /**
     * Weights built in memory, e.g. random ones for benchmarks.
     *
     * @param name what to call them in messages
     * @param layers layers in order
     * @return the weights
     */
    static KerasWeights of(String name, List<Layer> layers) {
        return new KerasWeights(Path.of(name), layers, "2");
    }

    /** @return the file read */
    public Path file() {
        return file;
    }

    /** @return every layer, in file order */
    public List<Layer> layers() {
        return layers;
    }

    /** @return the layers that have weights, in file order, as Keras matches them to a model */
    public List<Layer> weightedLayers() {
        return layers.stream().filter(l -> !l.weights().isEmpty()).toList();
    }

    /** @return the Keras version recorded in the file, {@code "1"} when none is (Keras 1) */
    public String kerasVersion() {
        return kerasVersion;
    }
}
