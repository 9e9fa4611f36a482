package org.ddpm4j.runtime.onnx;

import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.util.Locale;

/** ONNX Runtime's graph optimisation levels, by the names the CLI accepts. */
public enum GraphOptimization {
    NONE(OptLevel.NO_OPT),
    BASIC(OptLevel.BASIC_OPT),
    EXTENDED(OptLevel.EXTENDED_OPT),
    ALL(OptLevel.ALL_OPT);

    private final OptLevel level;

    GraphOptimization(OptLevel level) {
        this.level = level;
    }

    /** The ONNX Runtime level. */
    public OptLevel level() {
        return level;
    }

    /** Parses none, basic, extended or all. */
    public static GraphOptimization parse(String value) {
        String v = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
        for (GraphOptimization g : values()) {
            if (g.name().equals(v)) {
                return g;
            }
        }
        throw new IllegalArgumentException("Unknown graph optimization '" + value
                + "', expected none, basic, extended or all");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
