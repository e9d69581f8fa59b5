package dev.captioner.testutil;

import ai.djl.ndarray.NDArray;
import java.util.function.DoubleSupplier;

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
}
