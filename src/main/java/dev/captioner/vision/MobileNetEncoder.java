package dev.captioner.vision;

import dev.captioner.image.Preprocessing;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.captioner.util.CaptionerException;
import java.util.ArrayList;
import java.util.List;

/**
 * Keras' MobileNet v1 (any alpha) on DJL, from a Keras 2 weights file: a 3×3 stride-2
 * convolution, then 13 depthwise-separable blocks, each convolution followed by BatchNorm
 * (epsilon 1e-3, folded into the convolution at load time) and ReLU6. Strided convolutions use
 * TensorFlow's {@code same} padding, which on even inputs pads only the bottom and right. The
 * feature is the global average pool of the last block: {@code 1024 × alpha} values.
 */
public final class MobileNetEncoder extends NetworkEncoder {

    /** The name in the encoder registry and on the command line. */
    public static final String NAME = "mobilenet";

    private static final float EPSILON = 1e-3f;
    private static final int[] BLOCK_STRIDES = {1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1};

    /** One folded convolution. */
    private record Conv(NDArray w, NDArray b, int kernel, int stride, int groups) {}

    private final List<Conv> convs = new ArrayList<>();
    private final int featureDim;

    private MobileNetEncoder(NDManager manager, String sha256, int imageSize, int featureDim) {
        super(manager, sha256, imageSize);
        this.featureDim = featureDim;
    }

    /**
     * Builds the network from a weights file.
     *
     * @param weights a Keras MobileNet v1 file (with or without the top)
     * @param sha256 the file's SHA-256
     * @param imageSize input size (224 for the published files)
     * @return the encoder
     */
    public static MobileNetEncoder load(KerasWeights weights, String sha256, int imageSize) {
        List<KerasWeights.Layer> layers = weights.weightedLayers();
        int needed = 2 + 13 * 4;
        if (layers.size() < needed) {
            throw new CaptionerException(weights.file() + ": not a MobileNet v1 weights file (expected at least "
                    + needed + " weighted layers, found " + layers.size() + ")");
        }
        KerasWeights.Layer last = layers.get(needed - 2);
        if (last.weights().isEmpty() || last.weights().get(0).shape().length != 4) {
            throw new CaptionerException(weights.file() + ": layer '" + last.name() + "' is not the last pointwise "
                    + "convolution of a MobileNet v1 (expected a rank-4 kernel)");
        }
        NDManager manager = NDManager.newBaseManager();
        int featureDim = last.weights().get(0).shape()[3];
        MobileNetEncoder enc = new MobileNetEncoder(manager, sha256, imageSize, featureDim);
        try {
            enc.add(weights, layers.get(0), layers.get(1), 2, false);
            for (int b = 0; b < 13; b++) {
                int base = 2 + b * 4;
                enc.add(weights, layers.get(base), layers.get(base + 1), BLOCK_STRIDES[b], true);
                enc.add(weights, layers.get(base + 2), layers.get(base + 3), 1, false);
            }
            return enc;
        } catch (RuntimeException e) {
            enc.close();
            throw e;
        }
    }

    private void add(KerasWeights file, KerasWeights.Layer conv, KerasWeights.Layer bn, int stride, boolean depthwise) {
        if (conv.weights().size() != 1 || conv.weights().get(0).shape().length != 4 || bn.weights().size() != 4) {
            throw new CaptionerException(file.file() + ": layers '" + conv.name() + "' and '" + bn.name()
                    + "' are not a bias-free convolution followed by BatchNorm");
        }
        int[] k = conv.weights().get(0).shape();
        int in = k[2];
        int out = depthwise ? k[2] * k[3] : k[3];
        float[] w = TfLayout.convKernel(conv.weights().get(0).data(), k[0], k[1], depthwise ? 1 : in, out);
        // Keras 2 stores BatchNorm as gamma, beta, moving_mean, moving_variance.
        float[] gamma = bn.weights().get(0).data();
        float[] beta = bn.weights().get(1).data();
        float[] mean = bn.weights().get(2).data();
        float[] var = bn.weights().get(3).data();
        if (gamma.length != out || beta.length != out || mean.length != out || var.length != out) {
            throw new CaptionerException(file.file() + ": BatchNorm '" + bn.name() + "' has " + gamma.length
                    + " channels, the convolution " + out);
        }
        int expectedIn = convs.isEmpty() ? 3 : (int) convs.get(convs.size() - 1).b().getShape().get(0);
        if (in != expectedIn) {
            throw new CaptionerException(file.file() + ": layer '" + conv.name() + "' takes " + in
                    + " channels, the layer before gives " + expectedIn);
        }
        int per = w.length / out;
        float[] bias = new float[out];
        for (int o = 0; o < out; o++) {
            float scale = (float) (gamma[o] / Math.sqrt(var[o] + EPSILON));
            for (int j = 0; j < per; j++) {
                w[o * per + j] *= scale;
            }
            bias[o] = beta[o] - mean[o] * scale;
        }
        Shape shape = new Shape(out, depthwise ? 1 : in, k[0], k[1]);
        convs.add(new Conv(manager.create(w, shape), manager.create(bias, new Shape(out)), k[0], stride,
                depthwise ? in : 1));
    }

    @Override
    protected NDArray forward(NDArray x) {
        for (Conv c : convs) {
            long size = x.getShape().get(2);
            long total = Math.max((ceilDiv(size, c.stride()) - 1) * c.stride() + c.kernel() - size, 0);
            long before = total / 2;
            long after = total - before;
            if (before != after) {
                // TensorFlow's "same": the odd pixel of padding goes to the bottom and right.
                x = swap(x, x.pad(new Shape(before, after, before, after), 0));
                x = swap(x, conv(x, c.w(), c.b(), c.stride(), 0, c.groups()));
            } else {
                x = swap(x, conv(x, c.w(), c.b(), c.stride(), (int) before, c.groups()));
            }
            x = swap(x, x.clip(0f, 6f));
        }
        // The last depthwise-separable block's output: the grid (7 x 7 x C at 224 px).
        return grid() != null ? x : swap(x, globalAverage(x));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /**
     * Forward multiply-adds of the network without the classifier at its width ({@code alpha} =
     * feature length / 1,024) and input size; times two.
     */
    @Override
    public double flopsPerImage() {
        double alpha = featureDim / 1024.0;
        // (output channels, stride) of the 13 depthwise-separable blocks after the first convolution.
        int[][] blocks = {{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2}, {512, 1}, {512, 1}, {512, 1},
            {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
        int size = imageSize() / 2;
        int in = (int) (32 * alpha);
        double macs = (double) size * size * 3 * in * 9;
        for (int[] b : blocks) {
            int out = (int) (b[0] * alpha);
            size /= b[1];
            macs += (double) size * size * in * 9 + (double) size * size * in * out;
            in = out;
        }
        return 2 * macs;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected int pooledDim() {
        return featureDim;
    }

    @Override
    protected GridShape gridShape() {
        // Five stride-2 steps with TensorFlow's "same" padding: ceil(S / 32).
        int side = (imageSize() + 31) / 32;
        return new GridShape(side, side, featureDim);
    }

    @Override
    public Preprocessing preprocessing() {
        return Preprocessing.TF;
    }
}
