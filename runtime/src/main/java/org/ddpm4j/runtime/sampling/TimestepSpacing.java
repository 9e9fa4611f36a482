package org.ddpm4j.runtime.sampling;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which of the T training timesteps a sampler with fewer steps visits (the spacings of
 * diffusers' schedulers, table 2 of Lin et al. 2024). Every spacing returns {@code steps}
 * distinct indices in decreasing order; with {@code steps == T} all three give T-1, ..., 0.
 *
 * <ul>
 *   <li>{@link #LINSPACE}: {@code round(linspace(T-1, 0, steps))}, first T-1 and last 0 (the default).</li>
 *   <li>{@link #LEADING}: multiples of {@code T / steps} (integer division) from 0 upwards, so the first step
 *       is below T-1 (e.g. T=1000, 20 steps: 950, 900, ..., 0).</li>
 *   <li>{@link #TRAILING}: {@code round(T - k T/steps) - 1}, so the first step is T-1 and the last is
 *       about T/steps - 1 (e.g. 999, 949, ..., 49): best for few steps, as it starts from pure noise.</li>
 * </ul>
 */
public enum TimestepSpacing {
    LINSPACE("linspace"),
    LEADING("leading"),
    TRAILING("trailing");

    private final String id;

    TimestepSpacing(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /**
     * The timesteps to visit, from high to low.
     *
     * @throws IllegalArgumentException unless 1 &lt;= steps &lt;= T
     */
    public int[] timesteps(int trainSteps, int steps) {
        if (steps < 1 || steps > trainSteps) {
            throw new IllegalArgumentException("steps must be in 1.." + trainSteps + " (the model's timesteps), found "
                    + steps);
        }
        int[] ts = new int[steps];
        for (int i = 0; i < steps; i++) {
            ts[i] = switch (this) {
                case LINSPACE -> steps == 1 ? trainSteps - 1
                        : (int) Math.round((trainSteps - 1) * (1.0 - (double) i / (steps - 1)));
                case LEADING -> (steps - 1 - i) * (trainSteps / steps);
                case TRAILING -> (int) Math.rint(trainSteps - i * ((double) trainSteps / steps)) - 1;
            };
        }
        return ts;
    }

    /** Parses "linspace", "leading" or "trailing". */
    public static TimestepSpacing fromId(String id) {
        String wanted = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
        for (TimestepSpacing s : values()) {
            if (s.id.equals(wanted)) {
                return s;
            }
        }
        throw new IllegalArgumentException("Unknown timestep spacing '" + id + "', expected one of "
                + Arrays.stream(values()).map(TimestepSpacing::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}
