package org.ddpm4j.exporter.onnx;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How learnable weights are stored in the ONNX file. Inputs, outputs and all arithmetic stay
 * float32 in both cases: {@link #FP16} stores each weight as float16 followed by a {@code Cast} to
 * float32, halving the file at the cost of rounding the weights.
 */
public enum WeightPrecision {
    /** Weights stored as float32. */
    FP32("fp32"),
    /** Weights stored as float16, cast to float32 in the graph. */
    FP16("fp16");

    private final String id;

    WeightPrecision(String id) {
        this.id = id;
    }

    /** The command-line name: {@code fp32} or {@code fp16}. */
    public String id() {
        return id;
    }

    /** Parses {@code fp32} or {@code fp16}, case-insensitively. */
    public static WeightPrecision fromId(String id) {
        String wanted = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
        for (WeightPrecision p : values()) {
            if (p.id.equals(wanted)) {
                return p;
            }
        }
        throw new IllegalArgumentException("Unknown precision '" + id + "', expected one of "
                + Arrays.stream(values()).map(WeightPrecision::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
