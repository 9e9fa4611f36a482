package org.ddpm4j.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a constant, for every operation whose result autograd differentiates.
 *
 * <p>Never use DJL's {@code mul(Number)}, {@code div(Number)}, {@code minimum(Number)} (or any
 * {@code op(Number)}) on an array that needs a gradient. DJL 0.33 implements them as
 * {@code try (NDArray n = manager.create(number)) { return op(n); }}, and {@code create} wraps a
 * Java direct buffer with libtorch's {@code from_blob}, without a copy: the scalar's storage is Java
 * memory that only the closed {@code NDArray} kept alive. Autograd saves that scalar for the
 * backward pass (the gradient of {@code x * s} is {@code grad * s}); once the garbage collector
 * has freed the buffer, {@code backward} multiplies by whatever the allocator has put there since.
 * That was the "gradient norm NaN with a finite loss" of issue 9: the attention's
 * {@code mul(1 / sqrt(C))} made every gradient from a {@code qkv} back to the input NaN whenever the
 * 8 bytes had been reused for something that reads as NaN (about one fresh process in five;
 * 30 of 30 runs with freed memory handed straight to a thread writing NaN, see
 * {@code ScalarsTest} and {@code HostileAllocatorTest}). The constants here live in libtorch's own memory
 * ({@code torch::full}), which autograd keeps alive by reference.
 */
public final class Scalars {

    private Scalars() {
    }

    /** {@code x * value}, safe under autograd. */
    public static NDArray times(NDArray x, double value) {
        return x.mul(constant(x, value));
    }

    /** {@code x / value}, safe under autograd. */
    public static NDArray dividedBy(NDArray x, double value) {
        return x.div(constant(x, value));
    }

    /** Element-wise {@code min(x, value)}, safe under autograd. */
    public static NDArray minimum(NDArray x, double value) {
        return x.minimum(constant(x, value));
    }

    /** A 0-d array of {@code x}'s type holding {@code value}, in libtorch-allocated memory on {@code x}'s manager. */
    static NDArray constant(NDArray x, double value) {
        return x.getManager().full(new Shape(), (float) value, x.getDataType());
    }
}
