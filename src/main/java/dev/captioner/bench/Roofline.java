package dev.captioner.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.captioner.util.Torch;

/**
 * Where a benchmark's rate sits against the machine: the arithmetic of the work done, the
 * GFLOP/s that makes, and the GFLOP/s of a large single-precision matrix product through the
 * same PyTorch library on the same cores, measured in the same run. FLOPs count a multiply-add
 * as two.
 *
 * @param flopsPerItem arithmetic per image, predicted word or caption
 * @param achievedGflops {@code flopsPerItem × items/s}
 * @param matmulGflops the matrix product's rate
 * @param fraction achieved over the matrix product's rate
 */
public record Roofline(double flopsPerItem, double achievedGflops, double matmulGflops, double fraction) {

    private static volatile double matmul;

    /**
     * @param flopsPerItem arithmetic per item
     * @param itemsPerSecond the measured rate
     * @return the rate against this machine's matrix product
     */
    public static Roofline of(double flopsPerItem, double itemsPerSecond) {
        double achieved = flopsPerItem * itemsPerSecond / 1e9;
        double peak = measureMatmulGflops();
        return new Roofline(flopsPerItem, achieved, peak, achieved / peak);
    }

    /**
     * The machine's practical limit for dense float32 work: 2,048³ matrix products through the
     * bundled PyTorch on all cores (measured once per process, best of five).
     *
     * @return GFLOP/s
     */
    public static double measureMatmulGflops() {
        if (matmul > 0) {
            return matmul;
        }
        int cores = Runtime.getRuntime().availableProcessors();
        Torch.intraOpThreads(cores);
        int n = 2048;
        double best = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomUniform(-1, 1, new Shape(n, n));
            NDArray y = m.randomUniform(-1, 1, new Shape(n, n));
            x.matMul(y).close();
            for (int i = 0; i < 5; i++) {
                long start = System.nanoTime();
                x.matMul(y).close();
                best = Math.max(best, 2.0 * n * n * n / ((System.nanoTime() - start) / 1e9) / 1e9);
            }
        }
        matmul = best;
        return best;
    }

    /**
     * Forward multiply-adds of VGG16 up to {@code fc2} at 224 × 224 (13 convolutions, 3 × 3,
     * same padding; the two 4,096-wide dense layers), times two: about 31 GFLOP per image.
     *
     * @return FLOPs per image
     */
    public static double vgg16Flops() {
        int[][] blocks = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
        double macs = 0;
        int size = 224;
        int in = 3;
        for (int[] block : blocks) {
            for (int out : block) {
                macs += (double) size * size * in * out * 9;
                in = out;
            }
            size /= 2;
        }
        macs += 25088.0 * 4096 + 4096.0 * 4096;
        return 2 * macs;
    }

    /**
     * Forward multiply-adds of MobileNet v1 (width {@code alpha}, 224 px, without the classifier),
     * times two.
     *
     * @param alpha width multiplier
     * @return FLOPs per image
     */
    public static double mobileNetFlops(double alpha) {
        // (output channels, stride) of the 13 depthwise-separable blocks after the first convolution.
        int[][] blocks = {{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2}, {512, 1}, {512, 1}, {512, 1},
            {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
        int size = 112;
        int in = (int) (32 * alpha);
        double macs = 112.0 * 112 * 3 * in * 9;
        for (int[] b : blocks) {
            int out = (int) (b[0] * alpha);
            size /= b[1];
            macs += (double) size * size * in * 9 + (double) size * size * in * out;
            in = out;
        }
        return 2 * macs;
    }
}
