package org.ddpm4j.runtime.sampling;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.ddpm4j.runtime.schedule.NoiseSchedule;

/**
 * Which noise levels a sampler with fewer steps than T visits: the {@code timestep_spacing} values of
 * diffusers' schedulers (table 2 of Lin et al. 2024) and its two sigma spacings. Rounding is numpy's
 * {@code round}: half to even.
 *
 * <ul>
 *   <li>{@link #LINSPACE}: {@code round(linspace(T-1, 0, steps))}, first T-1 and last 0 (e.g. 7 steps at
 *       T = 1000: 999, 832, 666, 500, 333, 166, 0).</li>
 *   <li>{@link #LEADING}: multiples of {@code T / steps} (integer division) from 0 upwards, so the first step
 *       is below T-1 (T=1000, 20 steps: 950, 900, ..., 0).</li>
 *   <li>{@link #TRAILING}: {@code round(T - k T/steps) - 1}: first T-1, last about T/steps - 1
 *       (999, 949, ..., 49).</li>
 *   <li>{@link #KARRAS}: sigmas {@code (s_max^(1/7) + k/(n-1) (s_min^(1/7) - s_max^(1/7)))^7} between the
 *       schedule's largest and smallest sigma = sqrt((1 - ab) / ab) (Karras et al. 2022, rho = 7; diffusers'
 *       {@code use_karras_sigmas}); dense near the data.</li>
 *   <li>{@link #LU_LAMBDAS}: log sigma (minus lambda) uniform between the same ends (Lu et al. 2022;
 *       diffusers' {@code use_lu_lambdas}).</li>
 * </ul>
 * The sigma spacings give the model the timestep whose sigma is nearest in log (interpolated, then rounded)
 * and keep the exact sigma for the solver, as diffusers' {@code _sigma_to_t} does.
 *
 * <p>Multistep DPM-Solver++ in diffusers reads linspace and leading differently: it spaces {@code steps + 1}
 * timesteps and drops the last one, t = 0 ({@link #levels(NoiseSchedule, int, boolean)} with
 * {@code dropZero}).
 */
public enum TimestepSpacing {
    LINSPACE("linspace"),
    LEADING("leading"),
    TRAILING("trailing"),
    KARRAS("karras"),
    LU_LAMBDAS("lu");

    private final String id;

    TimestepSpacing(String id) {
        this.id = id;
    }

    /** The name on the command line and in PNG text chunks. */
    public String id() {
        return id;
    }

    /** Whether this spacing chooses continuous sigmas rather than training timesteps. */
    public boolean isSigmaSpacing() {
        return this == KARRAS || this == LU_LAMBDAS;
    }

    /**
     * The training timesteps to visit, from high to low (DDIM's reading of the spacing).
     *
     * @throws IllegalArgumentException unless 1 &lt;= steps &lt;= T, or for a sigma spacing (which needs the
     *                                  schedule: use {@link #levels})
     */
    public int[] timesteps(int trainSteps, int steps) {
        checkSteps(trainSteps, steps);
        if (isSigmaSpacing()) {
            throw new IllegalArgumentException(id + " spacing chooses sigmas from the schedule; use levels(schedule, steps)");
        }
        int[] ts = new int[steps];
        for (int i = 0; i < steps; i++) {
            ts[i] = switch (this) {
                case LINSPACE -> steps == 1 ? trainSteps - 1 : linspacePoint(trainSteps - 1, steps - 1, steps - 1 - i);
                case LEADING -> (steps - 1 - i) * (trainSteps / steps);
                case TRAILING -> (int) Math.rint(trainSteps - i * ((double) trainSteps / steps)) - 1;
                default -> throw new AssertionError(this);
            };
        }
        return ts;
    }

    /** The noise levels of {@code steps} model calls, DDIM's reading (linspace ends at t = 0). */
    public NoiseLevels levels(NoiseSchedule schedule, int steps) {
        return levels(schedule, steps, false);
    }

    /**
     * The noise levels of {@code steps} model calls.
     *
     * @param dropZero DPM-Solver++'s reading of linspace and leading (diffusers' multistep schedulers):
     *                 space {@code steps + 1} timesteps and drop the last, t = 0, so no call is spent at
     *                 t = 0 (ignored by the other spacings)
     */
    public NoiseLevels levels(NoiseSchedule schedule, int steps, boolean dropZero) {
        int T = schedule.timesteps();
        checkSteps(T, steps);
        if (!isSigmaSpacing()) {
            int[] ts;
            if (dropZero && this == LINSPACE) {
                ts = new int[steps];
                for (int i = 0; i < steps; i++) {
                    ts[i] = linspacePoint(T - 1, steps, steps - i);
                }
            } else if (dropZero && this == LEADING) {
                ts = new int[steps];
                int ratio = T / (steps + 1);
                for (int i = 0; i < steps; i++) {
                    ts[i] = (steps - i) * ratio;
                }
            } else {
                ts = timesteps(T, steps);
            }
            return NoiseLevels.atTimesteps(schedule, ts);
        }
        double[] logSigmas = new double[T];
        for (int t = 0; t < T; t++) {
            double ab = schedule.alphaBar(t);
            logSigmas[t] = Math.log(Math.sqrt((1.0 - ab) / ab));
        }
        double sMin = Math.exp(logSigmas[0]);
        double sMax = Math.exp(logSigmas[T - 1]);
        double[] sigmas = new double[steps];
        for (int i = 0; i < steps; i++) {
            double ramp = steps == 1 ? 0.0 : (double) i / (steps - 1);
            sigmas[i] = this == KARRAS ? karrasSigma(sMin, sMax, ramp, 7.0)
                    : Math.exp(logSigmas[T - 1] + ramp * (logSigmas[0] - logSigmas[T - 1]));
        }
        int[] ts = new int[steps];
        double[] ab = new double[steps];
        for (int i = 0; i < steps; i++) {
            ts[i] = (int) Math.rint(timestepOfSigma(sigmas[i], logSigmas));
            ab[i] = 1.0 / (1.0 + sigmas[i] * sigmas[i]);
        }
        return new NoiseLevels(ts, ab);
    }

    /**
     * Point k of numpy's {@code linspace(0, stop, intervals + 1)}, rounded half to even: {@code k * (stop / intervals)}
     * with the last point exactly {@code stop}, computed as numpy computes it so that every step count rounds alike.
     */
    static int linspacePoint(int stop, int intervals, int k) {
        double v = k == intervals ? stop : k * ((double) stop / intervals);
        return (int) Math.rint(v);
    }

    /** Karras et al. (2022) eq. (5): the sigma at {@code ramp} in [0, 1] from sMax down to sMin. */
    static double karrasSigma(double sMin, double sMax, double ramp, double rho) {
        double maxInv = Math.pow(sMax, 1.0 / rho);
        double minInv = Math.pow(sMin, 1.0 / rho);
        return Math.pow(maxInv + ramp * (minInv - maxInv), rho);
    }

    /**
     * The fractional training timestep of {@code sigma}: linear interpolation in log sigma between the two
     * neighbouring timesteps, clamped to [0, T-1].
     */
    static double timestepOfSigma(double sigma, double[] logSigmas) {
        double ls = Math.log(Math.max(sigma, 1e-10));
        int n = logSigmas.length;
        int low = 0;
        for (int t = 0; t < n; t++) {
            if (ls >= logSigmas[t]) {
                low = t;
            }
        }
        low = Math.min(low, n - 2);
        double w = (logSigmas[low] - ls) / (logSigmas[low] - logSigmas[low + 1]);
        w = Math.max(0.0, Math.min(1.0, w));
        return (1 - w) * low + w * (low + 1);
    }

    private static void checkSteps(int trainSteps, int steps) {
        if (steps < 1 || steps > trainSteps) {
            throw new IllegalArgumentException("steps must be in 1.." + trainSteps + " (the model's timesteps), found "
                    + steps);
        }
    }

    /** Parses "linspace", "leading", "trailing", "karras" or "lu" (also "lu_lambdas"). */
    public static TimestepSpacing fromId(String id) {
        String wanted = id == null ? "" : id.trim().toLowerCase(Locale.ROOT);
        if (wanted.equals("lu_lambdas") || wanted.equals("lu-lambdas")) {
            return LU_LAMBDAS;
        }
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
