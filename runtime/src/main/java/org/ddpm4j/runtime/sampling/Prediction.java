package org.ddpm4j.runtime.sampling;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a noise predictor outputs: the contract's {@code ddpm.prediction}. */
public enum Prediction {
    /** The noise epsilon that was added (Ho et al. 2020). */
    EPSILON("epsilon"),
    /** The clean sample x_0. */
    SAMPLE("sample"),
    /** v = sqrt(alpha_bar) eps - sqrt(1 - alpha_bar) x_0 (Salimans and Ho 2022). */
    V("v");

    private final String id;

    Prediction(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** Parses "epsilon", "sample" or "v". */
    public static Prediction fromId(String id) {
        String wanted = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
        for (Prediction p : values()) {
            if (p.id.equals(wanted)) {
                return p;
            }
        }
        throw new IllegalArgumentException("Unknown prediction '" + id + "', expected one of "
                + Arrays.stream(values()).map(Prediction::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
