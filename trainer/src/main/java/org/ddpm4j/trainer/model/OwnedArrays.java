package org.ddpm4j.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays whose memory libtorch allocated itself, for state that lives across training steps
 * (parameters, Adam moments, the EMA).
 *
 * <p>DJL's {@code create(float[])} wraps a Java direct buffer ({@code from_blob}) and
 * {@code NDArray.set} swaps a tensor's storage for one. With two PyTorch threads, a resumed run
 * (state loaded through {@code set}) drifted from the uninterrupted run by an ulp or two within four
 * steps, and matched it in the runs tried once the state lived in libtorch's memory (Java's buffers
 * are not 64-byte aligned like libtorch's); two-thread runs are still not guaranteed to repeat bit
 * for bit from process to process. {@code set} also prints libtorch's "AutoNonVariableTypeMode is
 * deprecated" warning. Every long-lived array is therefore a clone in
 * libtorch's memory, and "loading" values means replacing the array.
 */
public final class OwnedArrays {

    private OwnedArrays() {
    }

    /** A float32 array of {@code shape} holding {@code values}, in libtorch-allocated memory on {@code manager}. */
    public static NDArray of(NDManager manager, float[] values, Shape shape) {
        try (NDArray wrapped = manager.create(values, shape)) {
            return wrapped.duplicate();
        }
    }

    /** A 1-D float32 array holding {@code values}, in libtorch-allocated memory on {@code manager}. */
    public static NDArray of(NDManager manager, float[] values) {
        return of(manager, values, new Shape(values.length));
    }
}
