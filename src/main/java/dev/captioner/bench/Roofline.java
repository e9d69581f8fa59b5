package dev.captioner.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.captioner.util.EngineThreads;

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
     * @return the rate against this machine's matrix product, or null when the arithmetic is not
     *     known (NaN)
     */
    public static Roofline of(double flopsPerItem, double itemsPerSecond) {
        if (Double.isNaN(flopsPerItem)) {
            return null;
        }
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
        EngineThreads.set(cores);
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
}
