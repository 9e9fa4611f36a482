package org.ddpm4j.runtime.schedule;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The variance schedules ddpm4j knows, by the name the model contract uses ({@code ddpm.schedule}). */
public enum ScheduleType {
    /** Betas evenly spaced from beta_start to beta_end (Ho et al. 2020). */
    LINEAR("linear"),
    /** Squared-cosine alpha_bar (Nichol and Dhariwal 2021, s = 0.008), betas clipped at 0.999. */
    COSINE("cosine"),
    /** Square roots evenly spaced, then squared (latent diffusion). */
    SCALED_LINEAR("scaled_linear"),
    /** Sigmoid of evenly spaced points in [-6, 6], scaled into [beta_start, beta_end] (GeoDiff). */
    SIGMOID("sigmoid");

    private final String id;

    ScheduleType(String id) {
        this.id = id;
    }

    /** The contract's name for this schedule, as written in {@code ddpm.schedule}. */
    public String id() {
        return id;
    }

    /** Whether beta_start and beta_end parameterise this schedule. */
    public boolean usesBetaRange() {
        return this != COSINE;
    }

    /**
     * Parses a contract name ("linear", "cosine", "scaled_linear", "sigmoid"), case-insensitively.
     *
     * @throws IllegalArgumentException naming the value found and the values expected
     */
    public static ScheduleType fromId(String id) {
        String wanted = id == null ? "" : id.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (ScheduleType t : values()) {
            if (t.id.equals(wanted)) {
                return t;
            }
        }
        throw new IllegalArgumentException("Unknown schedule '" + id + "', expected one of "
                + Arrays.stream(values()).map(ScheduleType::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
