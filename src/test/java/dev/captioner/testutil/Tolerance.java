package dev.captioner.testutil;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;

/**
 * Float comparisons with tolerances derived from the arithmetic, never from one machine's
 * results: PyTorch picks other kernels (AVX2 or AVX-512, MKL or OpenBLAS, another thread count)
 * on another CPU, and so sums in another order. A float32 sum of {@code n} terms carries a
 * relative error of at most about {@code n·u} of the sum of the terms' magnitudes, u = 2⁻²⁴
 * (Higham, <i>Accuracy and Stability of Numerical Algorithms</i>, §4.2); two orders of the same
 * sum therefore differ by at most twice that. Comparisons are relative to the expected value, or,
 * for a whole tensor whose entries may cancel to near zero, relative to its largest entry
 * (norm-wise), the scale the terms' magnitudes are bounded by.
 */
public final class Tolerance {

    /** Unit roundoff of float32: 2⁻²⁴. */
    public static final double FLOAT = 0x1p-24;
    /** Unit roundoff of float64: 2⁻⁵³. */
    public static final double DOUBLE = 0x1p-53;

    private Tolerance() {
    }

    /**
     * @param terms the number of terms in the longest chain of float32 sums behind a value
     * @return the relative difference two summation orders of it may show: {@code 2·terms·u}
     */
    public static double floatSums(long terms) {
        return 2.0 * terms * FLOAT;
    }

    /**
     * @param terms the number of terms in the longest chain of float64 sums behind a value
     * @return the relative difference two summation orders of it may show: {@code 2·terms·u}
     */
    public static double doubleSums(long terms) {
        return 2.0 * terms * DOUBLE;
    }

    /**
     * @param expected a value that is not zero
     * @param relative the relative tolerance
     * @return an offset of {@code relative·|expected|}
     */
    public static Offset<Double> relative(double expected, double relative) {
        if (expected == 0 || !Double.isFinite(expected)) {
            throw new IllegalArgumentException("a relative tolerance needs a finite, non-zero expected value, was "
                    + expected + "; compare with an absolute tolerance of a known scale instead");
        }
        return Offset.offset(relative * Math.abs(expected));
    }

    /**
     * @param expected a value that is not zero
     * @param relative the relative tolerance
     * @return an offset of {@code relative·|expected|}, as a float
     */
    public static Offset<Float> relative(float expected, double relative) {
        return Offset.offset((float) relative((double) expected, relative).value.doubleValue());
    }

    /**
     * Asserts that two tensors agree norm-wise: every entry within {@code relative} of the largest
     * expected entry's magnitude.
     *
     * @param actual what was computed
     * @param expected what it should be
     * @param relative the relative tolerance
     * @param what the tensor's name, for messages
     */
    public static void assertClose(float[] actual, float[] expected, double relative, String what) {
        assertThat(actual).as(what + ": size").hasSameSizeAs(expected);
        double scale = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        double allowed = relative * scale;
        for (int i = 0; i < actual.length; i++) {
            double difference = Math.abs((double) actual[i] - expected[i]);
            if (!(difference <= allowed)) {
                throw new AssertionError(String.format(java.util.Locale.ROOT,
                        "%s[%d]: %s vs %s, a difference of %.3g, over %.3g (%.2g of the largest entry, %.4g)", what, i,
                        actual[i], expected[i], difference, allowed, relative, scale));
            }
        }
    }
}
