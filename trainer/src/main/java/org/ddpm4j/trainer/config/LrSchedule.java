package org.ddpm4j.trainer.config;

import java.util.List;
import java.util.Locale;

/**
 * The learning rate after warm-up, as a factor of the peak rate: {@code constant} (1), or
 * {@code cosine}: from 1 at the end of warm-up down to {@code floor} at step {@code decaySteps}
 * along half a cosine, then {@code floor}.
 *
 * @param kind       constant | cosine
 * @param floor      the final factor of a cosine schedule, in [0, 1]
 * @param decaySteps the step at which a cosine schedule reaches its floor
 */
public record LrSchedule(String kind, double floor, long decaySteps) {

    /** The schedules. */
    public static final List<String> KINDS = List.of("constant", "cosine");
    /** The peak rate after warm-up, for ever. */
    public static final LrSchedule CONSTANT = new LrSchedule("constant", 0.0, 0L);

    /** Missing values (an older checkpoint) mean constant. */
    public LrSchedule {
        kind = kind == null ? "constant" : kind.trim().toLowerCase(Locale.ROOT);
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("Unknown learning-rate schedule '" + kind + "', expected one of "
                    + String.join(", ", KINDS));
        }
        if (!(floor >= 0 && floor <= 1)) {
            throw new IllegalArgumentException("learning-rate floor must be in [0, 1] (a share of the peak rate), found "
                    + floor);
        }
        if (kind.equals("cosine") && decaySteps <= 0) {
            throw new IllegalArgumentException("a cosine learning-rate schedule needs the step where it ends (> 0), found "
                    + decaySteps);
        }
    }

    /** The factor on the peak rate at step {@code s} (0-based), for a run warming up over {@code warmup} steps. */
    public double factorAt(long s, int warmup) {
        if (kind.equals("constant")) {
            return 1.0;
        }
        double span = Math.max(1, decaySteps - warmup);
        double p = Math.min(1.0, Math.max(0.0, (s + 1.0 - warmup) / span));
        return floor + (1.0 - floor) * 0.5 * (1.0 + Math.cos(Math.PI * p));
    }
}
