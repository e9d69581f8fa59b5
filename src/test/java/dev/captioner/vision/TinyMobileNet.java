package dev.captioner.vision;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the scaled-down MobileNet v1 of make_encoder_fixtures.py with jHDF (Keras 2.0.4 layout,
 * the real layer names and 13-block structure, 64 px input), from the same deterministic
 * weights, so the MobileNet encoder is covered without the real file in ../shared.
 */
final class TinyMobileNet {

    static final int SIZE = 64;
    static final int CONV1 = 4;
    static final int[] POINTWISE = {8, 8, 8, 16, 16, 16, 16, 16, 16, 16, 16, 32, 32};

    private TinyMobileNet() {}

    private static float[] plusOne(float[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] += 1;
        }
        return v;
    }

    static void write(Path file) {
        List<String> names = new ArrayList<>(List.of("input_1"));
        try (WritableHdfFile h5 = HdfFile.write(file)) {
            h5.putGroup("input_1"); // jHDF cannot write the empty array real files hold here
            int c = 3;
            int i = 0;
            i = layer(h5, names, "conv1", 3, CONV1, false, i);
            c = CONV1;
            for (int b = 0; b < POINTWISE.length; b++) {
                i = layer(h5, names, "conv_dw_" + (b + 1), c, 1, true, i);
                i = layer(h5, names, "conv_pw_" + (b + 1), c, POINTWISE[b], false, i);
                c = POINTWISE[b];
            }
            h5.putAttribute("keras_version", "2.0.4");
            h5.putAttribute("backend", "tensorflow");
            h5.putAttribute("layer_names", names.toArray(String[]::new));
        }
    }

    /** One convolution, its BatchNorm and its (weightless) ReLU, as the script's i-th layer. */
    private static int layer(WritableHdfFile h5, List<String> names, String name, int in, int out, boolean depthwise,
            int i) {
        int k = name.startsWith("conv_pw") ? 1 : 3;
        int fanIn = k * k * (depthwise ? 1 : in);
        int channels = depthwise ? in : out;
        float[] kernel = TinyVgg16.det(k * k * in * out, 1000 + 10 * i, 2 * Math.sqrt(6.0 / fanIn));
        WritableGroup conv = h5.putGroup(name);
        String kernelName = depthwise ? "depthwise_kernel:0" : "kernel:0";
        conv.putAttribute("weight_names", new String[] {name + "/" + kernelName});
        conv.putGroup(name).putDataset(kernelName, TinyVgg16.reshape4(kernel, k, k, in, out));
        String bn = name + "_bn";
        WritableGroup norm = h5.putGroup(bn);
        norm.putAttribute("weight_names", new String[] {bn + "/gamma:0", bn + "/beta:0", bn + "/moving_mean:0",
            bn + "/moving_variance:0"});
        WritableGroup inner = norm.putGroup(bn);
        inner.putDataset("gamma:0", plusOne(TinyVgg16.det(channels, 1001 + 10 * i, 0.4)));
        inner.putDataset("beta:0", TinyVgg16.det(channels, 1002 + 10 * i, 0.2));
        inner.putDataset("moving_mean:0", TinyVgg16.det(channels, 1003 + 10 * i, 0.2));
        inner.putDataset("moving_variance:0", plusOne(TinyVgg16.det(channels, 1004 + 10 * i, 0.5)));
        h5.putGroup(name + "_relu");
        names.add(name);
        names.add(bn);
        names.add(name + "_relu");
        return i + 1;
    }
}
