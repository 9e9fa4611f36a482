package org.ddpm4j.runtime.model;

/**
 * How a model takes its timestep, read from the declared {@code timestep} input: element type,
 * and whether it is one value per image ({@code [B]}) or one scalar for the whole batch ({@code []}).
 *
 * @param elementType {@code int64}, {@code int32} or {@code float32}
 * @param scalar      true when the input is a scalar {@code []}
 */
public record TimestepEncoding(String elementType, boolean scalar) {

    /** The contract's default: int64 {@code [B]}. */
    public static final TimestepEncoding INT64_PER_IMAGE = new TimestepEncoding("int64", false);
}
