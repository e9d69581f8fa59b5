package dev.captioner.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Base of the encoders that run as plain tensor operations on DJL's PyTorch engine. The weights
 * are constants that never require gradients, so no autograd graph is recorded; every batch's
 * intermediate tensors live in a sub-manager and are freed as soon as they are consumed, which
 * keeps the memory high-water mark (and the page faults of fresh allocations) low.
 */
abstract class NetworkEncoder implements ImageEncoder {

    /** Holds the weights; closed with the encoder. */
    protected final NDManager manager;
    private final String sha256;
    private final int imageSize;
    private java.nio.file.Path location;
    private GridShape grid;

    NetworkEncoder(NDManager manager, String sha256, int imageSize) {
        this.manager = manager;
        this.sha256 = sha256;
        this.imageSize = imageSize;
    }

    /**
     * Runs the network.
     *
     * @param x {@code [N, 3, S, S]} input; the method may close it
     * @return {@code [N, featureDim]} pooled features, or when {@link #grid()} is set the last
     *     convolutional map {@code [N, D, H, W]}
     */
    protected abstract NDArray forward(NDArray x);

    /** @return the shape of the map {@link #forward} gives in grid mode, at this encoder's input size */
    protected abstract GridShape gridShape();

    @Override
    public NetworkEncoder gridded() {
        this.grid = gridShape();
        return this;
    }

    @Override
    public GridShape grid() {
        return grid;
    }

    @Override
    public int featureDim() {
        return grid == null ? pooledDim() : grid.size();
    }

    /** @return the length of the pooled feature */
    protected abstract int pooledDim();

    @Override
    public float[][] encode(float[] batch, int n) {
        int s = imageSize();
        if (batch.length != n * 3 * s * s) {
            throw new IllegalArgumentException("batch of " + n + " needs " + n * 3 * s * s + " values, got " + batch.length);
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = ChannelsLast.of(scope.create(batch, new Shape(n, 3, s, s)));
            NDArray y = forward(x);
            if (grid != null) {
                // [N, D, H, W] → [N, H, W, D]: location-major, channels last, as Keras lays it out.
                y = swap(y, y.transpose(0, 2, 3, 1));
            }
            float[] flat = y.toFloatArray();
            int d = featureDim();
            float[][] out = new float[n][d];
            for (int i = 0; i < n; i++) {
                System.arraycopy(flat, i * d, out[i], 0, d);
            }
            return out;
        }
    }

    /** Replaces {@code x} by {@code y}, freeing {@code x} at once. */
    static NDArray swap(NDArray x, NDArray y) {
        if (x != y) {
            x.close();
        }
        return y;
    }

    static NDArray conv(NDArray x, NDArray w, NDArray b, int stride, int pad, int groups) {
        return x.getNDArrayInternal().convolution(x, w, b, new Shape(stride, stride), new Shape(pad, pad),
                new Shape(1, 1), groups).singletonOrThrow();
    }

    /** {@code [N, C, H, W]} to {@code [N, C]}; PyTorch's mean takes one axis through DJL. */
    static NDArray globalAverage(NDArray x) {
        Shape s = x.getShape();
        try (NDArray flat = x.reshape(s.get(0), s.get(1), -1)) {
            return flat.mean(new int[] {2});
        }
    }

    static NDArray linear(NDArray x, NDArray w, NDArray b) {
        return x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
    }

    /** Records where the weights came from. */
    void location(java.nio.file.Path file) {
        this.location = file == null ? null : file.toAbsolutePath().normalize();
    }

    @Override
    public java.nio.file.Path weightsLocation() {
        return location;
    }

    @Override
    public String weightsSha256() {
        return sha256;
    }

    @Override
    public int imageSize() {
        return imageSize;
    }

    @Override
    public void close() {
        manager.close();
    }
}
