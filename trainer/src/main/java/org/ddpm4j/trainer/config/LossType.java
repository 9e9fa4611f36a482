package org.ddpm4j.trainer.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The loss between predicted and true noise, averaged over every value of the batch. */
public enum LossType {
    /** Mean absolute error. */
    L1("l1"),
    /** Mean squared error (the paper's simplified objective). */
    L2("l2"),
    /** Huber with delta 1: 0.5 d^2 where |d| &lt; 1, |d| - 0.5 elsewhere. */
    HUBER("huber");

    private final String id;

    LossType(String id) {
        this.id = id;
    }

    /** The name used on the command line and in checkpoints. */
    @JsonValue
    public String id() {
        return id;
    }

    /** Parses l1, l2 (also mse) or huber. */
    @JsonCreator
    public static LossType fromId(String s) {
        String w = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        if (w.equals("mse")) {
            return L2;
        }
        for (LossType t : values()) {
            if (t.id.equals(w)) {
                return t;
            }
        }
        throw new IllegalArgumentException("Unknown loss '" + s + "', expected one of "
                + Arrays.stream(values()).map(LossType::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
