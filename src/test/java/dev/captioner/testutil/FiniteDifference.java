package dev.captioner.testutil;

import ai.djl.ndarray.NDArray;
import java.util.function.DoubleSupplier;
import org.assertj.core.data.Offset;

/** Central finite differences for gradient checks: nudge one weight each way and watch the loss. */
public final class FiniteDifference {

    private FiniteDifference() {
    }

    /**
     * The loss's slope along one weight, the weight restored afterwards.
     *
     * @param w the parameter's array
     * @param i the flat index of the weight
     * @param eps the step each way
     * @param loss computes the loss with the current weights
     * @return (loss(w + eps) - loss(w - eps)) / (2 eps)
     */
    public static double slope(NDArray w, int i, double eps, DoubleSupplier loss) {
        float[] values = w.toFloatArray();
        float original = values[i];
        values[i] = (float) (original + eps);
        w.set(values);
        double plus = loss.getAsDouble();
        values[i] = (float) (original - eps);
        w.set(values);
        double minus = loss.getAsDouble();
        values[i] = original;
        w.set(values);
        return (plus - minus) / (2 * eps);
    }

    /**
     * How far a backpropagated gradient may be from {@link #slope} and still agree: the central
     * difference's truncation, O(eps²) of the slope (5 % relative at the eps = 1e-2 these checks
     * use), plus the loss's own float32 rounding carried through the quotient: each of the two
     * losses is off by up to 4 ulps of its value (its last roundings), so their difference over
     * 2·eps by up to 4 ulp / eps (about 1e-4 for a loss near 2). A gradient of zero cannot pass
     * where the slope is well above that.
     *
     * @param numeric the finite-difference slope
     * @param loss the loss at the unchanged weights
     * @param eps the step each way
     * @return the tolerance
     */
    public static Offset<Double> tolerance(double numeric, double loss, double eps) {
        return Offset.offset(0.05 * Math.abs(numeric) + 4 * Math.ulp((float) Math.abs(loss)) / eps);
    }
}
