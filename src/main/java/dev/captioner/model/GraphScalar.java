package dev.captioner.model;

import ai.djl.ndarray.NDArray;

/**
 * A constant for arithmetic inside a network that will be differentiated, kept alive until the
 * backward pass has used it.
 *
 * <p>Why not {@code array.mul(0.5)}: DJL's PyTorch engine makes the number a tensor over a Java
 * direct buffer and closes it as soon as the product is computed, but PyTorch's autograd saves
 * that tensor to compute the gradient. The buffer is freed at the next garbage collection, and
 * the backward pass then reads whatever the memory holds by then: on a busy machine about one
 * same-seed transformer training in six drifted in the fourth significant digit (never with
 * garbage collection off, or interpreted). A tensor attached to the operand's manager lives as
 * long as the step's other arrays.
 */
final class GraphScalar {

    private GraphScalar() {}

    /**
     * @param operand the array the constant will be combined with; the constant joins its manager
     * @param value the constant
     * @return a 0-dimensional float array holding {@code value}
     */
    static NDArray of(NDArray operand, double value) {
        return operand.getManager().create((float) value);
    }
}
