package org.ddpm4j.runtime.model;

/**
 * The validated inputs and output of a contract model.
 *
 * @param sample     the {@code sample} input as declared
 * @param timestep   how the {@code timestep} input is fed
 * @param outputName the name of the first output (the prediction)
 * @param output     the first output as declared
 * @param classLabel the element type of the {@code class_label} input ({@code int64} or {@code int32}),
 *                   or null for an unconditional model
 */
public record ModelSignature(TensorSpec sample, TimestepEncoding timestep, String outputName, TensorSpec output,
        String classLabel) {

    /** An unconditional model's signature. */
    public ModelSignature(TensorSpec sample, TimestepEncoding timestep, String outputName, TensorSpec output) {
        this(sample, timestep, outputName, output, null);
    }

    /** Whether the model takes a {@code class_label} input. */
    public boolean conditional() {
        return classLabel != null;
    }
}
