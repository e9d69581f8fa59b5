package dev.captioner.vision;

import dev.captioner.image.Preprocessing;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import dev.captioner.util.CaptionerException;
import java.util.List;

/**
 * Keras' VGG16 on DJL, from a Keras weights file: 13 3×3 convolutions with ReLU in five blocks
 * (2, 2, 3, 3, 3) each closed by 2×2 max pooling; with the top, flatten → fc1 → fc2, and the
 * feature is fc2 after ReLU (4,096 values, as in the seed); without it ({@code _notop}), the
 * feature is the global average of block5_pool (512 values). Widths are read from the file, so
 * a scaled-down VGG16 of the same shape loads too.
 */
public final class Vgg16Encoder extends NetworkEncoder {

    /** The name in the encoder registry and on the command line. */
    public static final String NAME = "vgg16";

    private static final int CONVS = 13;
    /** Indices of the convolutions that close a block (followed by max pooling). */
    private static final List<Integer> POOL_AFTER = List.of(1, 3, 6, 9, 12);

    private final NDArray[] convW = new NDArray[CONVS];
    private final NDArray[] convB = new NDArray[CONVS];
    private NDArray fc1W;
    private NDArray fc1B;
    private NDArray fc2W;
    private NDArray fc2B;
    private final int featureDim;
    private final int lastChannels;

    private Vgg16Encoder(NDManager manager, String sha256, int imageSize, int featureDim, int lastChannels) {
        super(manager, sha256, imageSize);
        this.featureDim = featureDim;
        this.lastChannels = lastChannels;
    }

    /**
     * Builds the network from a weights file.
     *
     * @param weights a VGG16 file (Keras 1 or 2, with or without the top)
     * @param sha256 the file's SHA-256
     * @param notopImageSize input size to use when the file has no top (224 for the real one)
     * @return the encoder
     */
    public static Vgg16Encoder load(KerasWeights weights, String sha256, int notopImageSize) {
        List<KerasWeights.Layer> layers = weights.weightedLayers();
        long convs = layers.stream().filter(l -> l.weights().get(0).shape().length == 4).count();
        if (convs != CONVS || (layers.size() != CONVS && layers.size() < CONVS + 2)) {
            throw new CaptionerException(weights.file() + ": not a VGG16 weights file (expected 13 convolution layers"
                    + " and optionally fc1, fc2, predictions; found " + convs + " convolutions in " + layers.size()
                    + " weighted layers)");
        }
        boolean top = layers.size() > CONVS;
        for (int i = 0; i < CONVS; i++) {
            expectShape(weights, layers.get(i), 0, 4);
        }
        int lastChannels = layers.get(CONVS - 1).weights().get(0).shape()[3];
        int imageSize = notopImageSize;
        int featureDim = lastChannels;
        int spatial = 0;
        if (top) {
            int fc1Rows = expectShape(weights, layers.get(CONVS), 0, 2)[0];
            expectShape(weights, layers.get(CONVS + 1), 0, 2);
            spatial = (int) Math.round(Math.sqrt((double) fc1Rows / lastChannels));
            if (spatial * spatial * lastChannels != fc1Rows) {
                throw new CaptionerException(weights.file() + ": fc1 has " + fc1Rows + " inputs, not a square map of "
                        + lastChannels + " channels");
            }
            imageSize = spatial * 32;
            featureDim = layers.get(CONVS + 1).weights().get(0).shape()[1];
        }
        NDManager manager = NDManager.newBaseManager();
        Vgg16Encoder enc = new Vgg16Encoder(manager, sha256, imageSize, featureDim, lastChannels);
        try {
            enc.loadConvolutions(weights, layers);
            if (top) {
                enc.loadDense(weights, layers.get(CONVS), layers.get(CONVS + 1), lastChannels);
            }
            return enc;
        } catch (RuntimeException e) {
            enc.close();
            throw e;
        }
    }

    /** The 13 convolutions' kernels {@code [out, in, kh, kw]} and biases, each reading the one before. */
    private void loadConvolutions(KerasWeights weights, List<KerasWeights.Layer> layers) {
        int in = 3;
        for (int i = 0; i < CONVS; i++) {
            KerasWeights.Layer l = layers.get(i);
            int[] k = expectShape(weights, l, 0, 4);
            if (k[2] != in) {
                throw new CaptionerException(weights.file() + ": layer '" + l.name() + "' takes " + k[2]
                        + " channels, the layer before gives " + in);
            }
            convW[i] = manager.create(TfLayout.convKernel(l.weights().get(0).data(), k[0], k[1], k[2], k[3]),
                    new Shape(k[3], k[2], k[0], k[1]));
            convB[i] = manager.create(l.weights().get(1).data(), new Shape(k[3]));
            in = k[3];
        }
    }

    /** fc1 ({@code [4096, 7·7·512]}, rows reordered from Keras' channels-last flatten) and fc2. */
    private void loadDense(KerasWeights weights, KerasWeights.Layer fc1, KerasWeights.Layer fc2, int lastChannels) {
        int[] a = expectShape(weights, fc1, 0, 2);
        int[] b = expectShape(weights, fc2, 0, 2);
        fc1W = manager.create(TfLayout.denseKernel(fc1.weights().get(0).data(), a[0], a[1], lastChannels),
                new Shape(a[1], a[0]));
        fc1B = manager.create(fc1.weights().get(1).data(), new Shape(a[1]));
        fc2W = manager.create(TfLayout.denseKernel(fc2.weights().get(0).data(), b[0], b[1], 0), new Shape(b[1], b[0]));
        fc2B = manager.create(fc2.weights().get(1).data(), new Shape(b[1]));
    }

    private static int[] expectShape(KerasWeights w, KerasWeights.Layer l, int index, int rank) {
        if (l.weights().size() != 2 || l.weights().get(index).shape().length != rank
                || l.weights().get(1).shape().length != 1
                || l.weights().get(1).shape()[0] != l.weights().get(index).shape()[rank - 1]) {
            throw new CaptionerException(w.file() + ": layer '" + l.name() + "' does not have a rank-" + rank
                    + " kernel and a bias");
        }
        return l.weights().get(index).shape();
    }

    @Override
    protected NDArray forward(NDArray x) {
        for (int i = 0; i < CONVS; i++) {
            x = swap(x, conv(x, convW[i], convB[i], 1, 1, 1));
            x = swap(x, x.getNDArrayInternal().relu());
            if (i == CONVS - 1 && grid() != null) {
                // block5_conv3 after its ReLU, before the last pooling: the annotation grid of
                // Show, Attend and Tell (14 x 14 x 512 at 224 px).
                return x;
            }
            if (POOL_AFTER.contains(i)) {
                x = swap(x, Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false));
            }
        }
        if (fc1W == null) {
            return swap(x, globalAverage(x));
        }
        x = swap(x, x.reshape(x.getShape().get(0), -1));
        x = swap(x, linear(x, fc1W, fc1B));
        x = swap(x, x.getNDArrayInternal().relu());
        x = swap(x, linear(x, fc2W, fc2B));
        return swap(x, x.getNDArrayInternal().relu());
    }

    /**
     * Forward multiply-adds up to the feature at the input size: 13 convolutions (3 × 3, same
     * padding), and with the top the two 4,096-wide dense layers; times two. About 31 GFLOP at
     * 224 px with the top.
     */
    @Override
    public double flopsPerImage() {
        int[][] blocks = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
        double macs = 0;
        int size = imageSize();
        int in = 3;
        for (int[] block : blocks) {
            for (int out : block) {
                macs += (double) size * size * in * out * 9;
                in = out;
            }
            size /= 2;
        }
        if (fc2W != null) {
            macs += 25088.0 * 4096 + 4096.0 * 4096;
        }
        return 2 * macs;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** One image per call: see {@link ImageEncoder#efficientBatch()}. */
    @Override
    public int efficientBatch() {
        return 1;
    }

    @Override
    protected int pooledDim() {
        return featureDim;
    }

    @Override
    protected GridShape gridShape() {
        return new GridShape(imageSize() / 16, imageSize() / 16, lastChannels);
    }

    @Override
    public Preprocessing preprocessing() {
        return Preprocessing.CAFFE;
    }
}
