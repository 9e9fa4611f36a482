package org.ddpm4j.runtime.model;

/**
 * The validated inputs and output of a contract model.
 *
 * @param sample     the {@code sample} input as declared
 * @param timestep   how the {@code timestep} input is fed
 * @param outputName the name of the first output (the prediction)
 * @param output     the first output as declared
 */
public record ModelSignature(TensorSpec sample, TimestepEncoding timestep, String outputName, TensorSpec output) {
}
