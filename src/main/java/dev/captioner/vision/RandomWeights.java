package dev.captioner.vision;

import dev.captioner.util.CaptionerException;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Full-size networks with random weights (He-uniform kernels, zero biases, unit BatchNorm), for
 * benchmarks that must not need a 500 MB download. Same seed, same weights.
 */
public final class RandomWeights {

    private static final int[] VGG_WIDTHS = {64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512};

    private RandomWeights() {}

    /**
     * @param name an encoder's name in the registry
     * @param seed seed of the weights
     * @return that encoder with random weights, at 224 px (MobileNet at alpha 1.0)
     * @throws CaptionerException if the encoder has no random variant (its weights must be given)
     */
    public static ImageEncoder of(String name, long seed) {
        return switch (Encoders.type(name).name()) {
            case Vgg16Encoder.NAME -> vgg16(seed);
            case MobileNetEncoder.NAME -> mobilenet(1.0, seed);
            default -> throw new CaptionerException("the " + name + " encoder has no random-weight variant; give its "
                    + "weights with --weights");
        };
    }

    /**
     * @param seed random seed
     * @return VGG16 with the top (224 px input, 4,096-d feature)
     */
    public static Vgg16Encoder vgg16(long seed) {
        Random r = new Random(seed);
        List<KerasWeights.Layer> layers = new ArrayList<>();
        int c = 3;
        for (int i = 0; i < VGG_WIDTHS.length; i++) {
            int w = VGG_WIDTHS[i];
            layers.add(layer("conv" + i, kernel(r, new int[] {3, 3, c, w}, 9 * c), zeros(w)));
            c = w;
        }
        layers.add(layer("fc1", kernel(r, new int[] {7 * 7 * 512, 4096}, 7 * 7 * 512), zeros(4096)));
        layers.add(layer("fc2", kernel(r, new int[] {4096, 4096}, 4096), zeros(4096)));
        layers.add(layer("predictions", kernel(r, new int[] {4096, 8}, 4096), zeros(8)));
        return Vgg16Encoder.load(KerasWeights.of("random VGG16", layers), "random", 224);
    }

    /**
     * @param alpha width multiplier (0.25, 0.5, 0.75 or 1.0)
     * @param seed random seed
     * @return MobileNet v1 without the top (224 px input, {@code 1024 * alpha}-d feature)
     */
    public static MobileNetEncoder mobilenet(double alpha, long seed) {
        Random r = new Random(seed);
        List<KerasWeights.Layer> layers = new ArrayList<>();
        int c = (int) (32 * alpha);
        layers.add(new KerasWeights.Layer("conv1", List.of(kernel(r, new int[] {3, 3, 3, c}, 27))));
        layers.add(batchNorm(c));
        int[] widths = {64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024};
        for (int width : widths) {
            int out = (int) (width * alpha);
            layers.add(new KerasWeights.Layer("dw", List.of(kernel(r, new int[] {3, 3, c, 1}, 9))));
            layers.add(batchNorm(c));
            layers.add(new KerasWeights.Layer("pw", List.of(kernel(r, new int[] {1, 1, c, out}, c))));
            layers.add(batchNorm(out));
            c = out;
        }
        return MobileNetEncoder.load(KerasWeights.of("random MobileNet", layers), "random", 224);
    }

    /**
     * Writes a VGG16 with the top and random weights (as {@link #vgg16}) as a Keras 2 HDF5 file,
     * 0.55 GB, which anything that takes a weights file reads like the published one: for
     * benchmarks of whole jobs at the default encoder's cost without the download.
     *
     * @param file where to write
     * @param seed random seed
     */
    public static void writeVgg16(Path file, long seed) {
        String[] names = {"block1_conv1", "block1_conv2", "block2_conv1", "block2_conv2", "block3_conv1",
            "block3_conv2", "block3_conv3", "block4_conv1", "block4_conv2", "block4_conv3", "block5_conv1",
            "block5_conv2", "block5_conv3"};
        Random r = new Random(seed);
        List<String> layerNames = new ArrayList<>();
        try (WritableHdfFile h5 = HdfFile.write(file)) {
            int c = 3;
            int pools = 0;
            for (int i = 0; i < names.length; i++) {
                int w = VGG_WIDTHS[i];
                layerNames.add(names[i]);
                putLayer(h5, names[i], kernel(r, new int[] {3, 3, c, w}, 9 * c), w);
                c = w;
                if (i == 1 || i == 3 || i == 6 || i == 9 || i == 12) {
                    String pool = "block" + ++pools + "_pool";
                    layerNames.add(pool);
                    h5.putGroup(pool);
                }
            }
            layerNames.add("flatten");
            h5.putGroup("flatten");
            int[][] dense = {{7 * 7 * 512, 4096}, {4096, 4096}, {4096, 8}};
            String[] denseNames = {"fc1", "fc2", "predictions"};
            for (int j = 0; j < dense.length; j++) {
                layerNames.add(denseNames[j]);
                putLayer(h5, denseNames[j], kernel(r, dense[j], dense[j][0]), dense[j][1]);
            }
            h5.putAttribute("keras_version", "2.0.4");
            h5.putAttribute("backend", "tensorflow");
            h5.putAttribute("layer_names", layerNames.toArray(String[]::new));
        }
    }

    /** One Keras 2 layer group: {@code name/name/kernel:0} and {@code name/name/bias:0} (zeros). */
    private static void putLayer(WritableHdfFile h5, String name, KerasWeights.Weight kernel, int units) {
        WritableGroup g = h5.putGroup(name);
        g.putAttribute("weight_names", new String[] {name + "/kernel:0", name + "/bias:0"});
        WritableGroup inner = g.putGroup(name);
        int[] shape = kernel.shape();
        float[] flat = kernel.data();
        Object data;
        if (shape.length == 2) {
            float[][] k = new float[shape[0]][shape[1]]; // [in, out]
            for (int i = 0; i < shape[0]; i++) {
                System.arraycopy(flat, i * shape[1], k[i], 0, shape[1]);
            }
            data = k;
        } else {
            float[][][][] k = new float[shape[0]][shape[1]][shape[2]][shape[3]]; // [kh, kw, in, out]
            int at = 0;
            for (float[][][] a : k) {
                for (float[][] b : a) {
                    for (float[] row : b) {
                        System.arraycopy(flat, at, row, 0, row.length);
                        at += row.length;
                    }
                }
            }
            data = k;
        }
        inner.putDataset("kernel:0", data);
        inner.putDataset("bias:0", new float[units]);
    }

    private static KerasWeights.Layer layer(String name, KerasWeights.Weight kernel, KerasWeights.Weight bias) {
        return new KerasWeights.Layer(name, List.of(kernel, bias));
    }

    private static KerasWeights.Weight kernel(Random r, int[] shape, int fanIn) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] data = new float[n];
        double limit = Math.sqrt(6.0 / fanIn);
        for (int i = 0; i < n; i++) {
            data[i] = (float) ((r.nextDouble() * 2 - 1) * limit);
        }
        return new KerasWeights.Weight("kernel", shape, data);
    }

    private static KerasWeights.Weight zeros(int n) {
        return new KerasWeights.Weight("bias", new int[] {n}, new float[n]);
    }

    private static KerasWeights.Layer batchNorm(int n) {
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        return new KerasWeights.Layer("bn", List.of(new KerasWeights.Weight("gamma", new int[] {n}, ones),
                zeros(n), zeros(n), new KerasWeights.Weight("var", new int[] {n}, ones.clone())));
    }
}
