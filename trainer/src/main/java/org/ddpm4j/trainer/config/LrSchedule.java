package org.ddpm4j.trainer.config;

import java.util.List;
import java.util.Locale;

/**
 * The learning rate after warm-up, as a factor of the peak rate: {@code constant} (1), or
 * {@code cosine}: the peak until step {@code decayFrom} (or the end of warm-up, whichever is later),
 * then down to {@code floor} at step {@code decaySteps} along half a cosine, then {@code floor}. A
 * late {@code decayFrom} gives the warm-up, stable, decay shape: a long run at the peak rate, cooled
 * down over its last steps, which a run can also switch to when it is resumed.
 *
 * @param kind       constant | cosine
 * @param floor      the final factor of a cosine schedule, in [0, 1]
 * @param decaySteps the step at which a cosine schedule reaches its floor
 * @param decayFrom  the step at which a cosine schedule starts to fall (0: at the end of warm-up)
 */
public record LrSchedule(String kind, double floor, long decaySteps, long decayFrom) {

    /** The schedules. */
    public static final List<String> KINDS = List.of("constant", "cosine");
    /** The peak rate after warm-up, for ever. */
    public static final LrSchedule CONSTANT = new LrSchedule("constant", 0.0, 0L, 0L);

    /** Missing values (an older checkpoint) mean constant, and a cosine that falls from the end of warm-up. */
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
        if (decayFrom < 0 || (kind.equals("cosine") && decayFrom >= decaySteps)) {
            throw new IllegalArgumentException("a cosine learning-rate schedule must start to fall (step " + decayFrom
                    + ") at step 0 or later and before it ends (step " + decaySteps + ")");
        }
    }

    /** A schedule that falls from the end of warm-up. */
    public LrSchedule(String kind, double floor, long decaySteps) {
        this(kind, floor, decaySteps, 0L);
    }

    /** The factor on the peak rate at step {@code s} (0-based), for a run warming up over {@code warmup} steps. */
    public double factorAt(long s, int warmup) {
        if (kind.equals("constant")) {
            return 1.0;
        }
        long start = Math.max(warmup, decayFrom);
        double span = Math.max(1, decaySteps - start);
        double p = Math.min(1.0, Math.max(0.0, (s + 1.0 - start) / span));
        return floor + (1.0 - floor) * 0.5 * (1.0 + Math.cos(Math.PI * p));
    }
}
