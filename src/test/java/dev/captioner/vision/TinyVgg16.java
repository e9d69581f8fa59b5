package dev.captioner.vision;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the scaled-down VGG16 of make_encoder_fixtures.py with jHDF, in either Keras layout,
 * from the same deterministic weights, so that tests exercise files they wrote themselves.
 */
final class TinyVgg16 {

    static final int[] WIDTHS = {4, 4, 8, 8, 8, 8, 8, 16, 16, 16, 16, 16, 16};
    static final String[] NAMES = {"block1_conv1", "block1_conv2", "block2_conv1", "block2_conv2", "block3_conv1",
        "block3_conv2", "block3_conv3", "block4_conv1", "block4_conv2", "block4_conv3", "block5_conv1",
        "block5_conv2", "block5_conv3"};
    static final int SIZE = 64;
    static final int[] FC = {48, 40, 10};

    private TinyVgg16() {}

    /** The script's det(): ((i * 2654435761 + seed * 97531) mod 2^32 / 2^32 - 0.5) * scale. */
    static float[] det(int n, int seed, double scale) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            long v = (i * 2654435761L + seed * 97531L) % (1L << 32);
            out[i] = (float) ((v / 4294967296.0 - 0.5) * scale);
        }
        return out;
    }

    static void write(Path file, boolean keras1, boolean top) {
        List<String> layerNames = new ArrayList<>();
        try (WritableHdfFile h5 = HdfFile.write(file)) {
            int c = 3;
            for (int i = 0; i < NAMES.length; i++) {
                int w = WIDTHS[i];
                layerNames.add(NAMES[i]);
                weights(h5, NAMES[i], keras1, reshape4(det(9 * c * w, 2 * i + 1, 2 * Math.sqrt(6.0 / (9 * c))), 3, 3, c, w),
                        det(w, 2 * i + 2, 0.2));
                c = w;
                if (i == 1 || i == 3 || i == 6 || i == 9 || i == 12) {
                    String pool = "block" + (layerNames.stream().filter(n -> n.endsWith("_pool")).count() + 1) + "_pool";
                    layerNames.add(pool);
                    h5.putGroup(pool); // jHDF cannot write the empty array real files hold here
                }
            }
            if (top) {
                layerNames.add("flatten");
                h5.putGroup("flatten");
                int in = (SIZE / 32) * (SIZE / 32) * c;
                String[] fc = {"fc1", "fc2", "predictions"};
                for (int j = 0; j < 3; j++) {
                    layerNames.add(fc[j]);
                    weights(h5, fc[j], keras1, reshape2(det(in * FC[j], 100 + 2 * j, 2 * Math.sqrt(6.0 / in)), in, FC[j]),
                            det(FC[j], 101 + 2 * j, 0.2));
                    in = FC[j];
                }
            }
            if (!keras1) {
                h5.putAttribute("keras_version", "2.0.4");
                h5.putAttribute("backend", "tensorflow");
            }
            h5.putAttribute("layer_names", layerNames.toArray(String[]::new));
        }
    }

    private static void weights(WritableHdfFile h5, String name, boolean keras1, Object kernel, float[] bias) {
        WritableGroup g = h5.putGroup(name);
        if (keras1) {
            g.putAttribute("weight_names", new String[] {name + "_W_1:0", name + "_b_1:0"});
            g.putDataset(name + "_W_1:0", kernel);
            g.putDataset(name + "_b_1:0", bias);
        } else {
            g.putAttribute("weight_names", new String[] {name + "/kernel:0", name + "/bias:0"});
            WritableGroup inner = g.putGroup(name);
            inner.putDataset("kernel:0", kernel);
            inner.putDataset("bias:0", bias);
        }
    }

    static float[][][][] reshape4(float[] flat, int a, int b, int c, int d) {
        float[][][][] out = new float[a][b][c][d];
        int k = 0;
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                for (int l = 0; l < c; l++) {
                    for (int m = 0; m < d; m++) {
                        out[i][j][l][m] = flat[k++];
                    }
                }
            }
        }
        return out;
    }

    static float[][] reshape2(float[] flat, int a, int b) {
        float[][] out = new float[a][b];
        for (int i = 0; i < a; i++) {
            System.arraycopy(flat, i * b, out[i], 0, b);
        }
        return out;
    }
}
