package org.ddpm4j.runtime.sampling;

import org.ddpm4j.runtime.schedule.NoiseSchedule;

/**
 * DPM-Solver++(2M) (Lu et al. 2022, Algorithm 2), a second-order multistep solver in data-prediction
 * form, and its stochastic form DPM-Solver++(2M) SDE (diffusers' {@code sde-dpmsolver++}, midpoint).
 *
 * <p>With alpha = sqrt(ab), sigma = sqrt(1 - ab) and lambda = log(alpha / sigma) at each level, a step
 * from s to t with h = lambda_t - lambda_s uses
 * <pre>
 *   D   = x_0(s)                                                    first order (first and last steps)
 *   D   = (1 + 1/(2r)) x_0(s) - 1/(2r) x_0(s_prev),  r = h_prev / h      second order
 *   ODE: x_t = (sigma_t / sigma_s) x_s - alpha_t (e^{-h} - 1) D
 *   SDE: x_t = (sigma_t / sigma_s) e^{-h} x_s + alpha_t (1 - e^{-2h}) D + sigma_t sqrt(1 - e^{-2h}) z
 * </pre>
 * The last step goes to the clean image (sigma = 0, lambda = infinity), where both reduce to x = x_0(s)
 * (diffusers' {@code final_sigmas_type="zero"}). The SDE re-injects fresh noise each step, so an error in
 * one x_0 estimate is partly forgotten, as in DDPM.
 *
 * <p>With a timestep spacing whose last call is at t = 0 the second-to-last step is first order as well
 * (the jump in lambda to t = 0 is so much longer than the previous step that the 2M extrapolation
 * overshoots). The sigma spacings (Karras, Lu) end at t = 0 by design, with short final steps, and keep
 * second order. {@link Samplers#create} spaces linspace and leading as diffusers' multistep schedulers do,
 * so that no call is spent at t = 0; the default is {@link TimestepSpacing#TRAILING}.
 */
public final class DpmSolverSampler extends TimestepSampler {

    private final boolean sde;
    private final boolean firstOrderBeforeZero;

    /** The ODE solver over {@code steps} levels chosen by {@code spacing} (linspace and leading without t = 0). */
    public DpmSolverSampler(NoiseSchedule schedule, int steps, TimestepSpacing spacing, boolean clipSample) {
        this(schedule, steps, spacing, clipSample, false);
    }

    /**
     * The ODE or SDE solver over {@code steps} levels chosen by {@code spacing} (linspace and leading without t = 0).
     *
     * @param sde DPM-Solver++(2M) SDE: a stochastic step that draws noise
     */
    public DpmSolverSampler(NoiseSchedule schedule, int steps, TimestepSpacing spacing, boolean clipSample, boolean sde) {
        this(schedule, spacing.levels(schedule, steps, true), clipSample, sde, !spacing.isSigmaSpacing());
    }

    /**
     * The solver over the given levels.
     *
     * @param firstOrderBeforeZero take a first-order step into a last level at t = 0
     */
    public DpmSolverSampler(NoiseSchedule schedule, NoiseLevels levels, boolean clipSample, boolean sde,
            boolean firstOrderBeforeZero) {
        super(schedule, levels, clipSample);
        this.sde = sde;
        this.firstOrderBeforeZero = firstOrderBeforeZero;
    }

    @Override
    public DpmSolverSampler withLevels(NoiseLevels levels) {
        return new DpmSolverSampler(schedule, levels, clipSample, sde, firstOrderBeforeZero);
    }

    /** Whether this is the stochastic (SDE) form. */
    public boolean isSde() {
        return sde;
    }

    /** lambda = log(alpha / sigma) at timestep t of the schedule: half the log signal-to-noise ratio. */
    public double lambda(int t) {
        return Math.log(schedule.sqrtAlphaBar(t) / schedule.sqrtOneMinusAlphaBar(t));
    }

    /** lambda of step i's level. */
    public double lambdaOfStep(int i) {
        double ab = alphaBar(i);
        return 0.5 * Math.log(ab / (1.0 - ab));
    }

    /** The step size h of step i in lambda (infinite for the last step). */
    public double h(int i) {
        return i + 1 < timesteps.length ? lambdaOfStep(i + 1) - lambdaOfStep(i) : Double.POSITIVE_INFINITY;
    }

    /**
     * The weight 1/(2r) of the previous x_0 in step i's second-order estimate D (0 for a first-order step:
     * the first and the last).
     */
    public double historyWeight(int i) {
        int n = timesteps.length;
        boolean lowerOrderSecondLast = firstOrderBeforeZero && i == n - 2 && timesteps[n - 1] == 0;
        if (i == 0 || i == n - 1 || lowerOrderSecondLast) {
            return 0.0;
        }
        double hPrev = lambdaOfStep(i) - lambdaOfStep(i - 1);
        double r = hPrev / h(i);
        return 1.0 / (2.0 * r);
    }

    @Override
    public double noiseScale(int i) {
        if (!sde || i == timesteps.length - 1) {
            return 0.0;
        }
        return Math.sqrt(1.0 - alphaBarNext(i)) * Math.sqrt(-Math.expm1(-2.0 * h(i)));
    }

    @Override
    protected boolean usesHistory() {
        return true;
    }

    @Override
    public void step(int i, Prediction prediction, float[] x, float[] modelOutput, float[] z, float[] history) {
        double a = Math.sqrt(alphaBar(i));
        double s = Math.sqrt(1.0 - alphaBar(i));
        boolean last = i == timesteps.length - 1;
        double ratio;
        double dCoef;
        if (last) {
            ratio = 0.0;
            dCoef = 1.0;
        } else if (sde) {
            double h = h(i);
            ratio = Math.sqrt(1.0 - alphaBarNext(i)) / s * Math.exp(-h);
            dCoef = -Math.sqrt(alphaBarNext(i)) * Math.expm1(-2.0 * h);
        } else {
            ratio = Math.sqrt(1.0 - alphaBarNext(i)) / s;
            dCoef = -Math.sqrt(alphaBarNext(i)) * Math.expm1(-h(i));
        }
        double noise = noiseScale(i);
        double w = historyWeight(i);
        for (int k = 0; k < x.length; k++) {
            double xt = x[k];
            double x0 = Predictions.x0(prediction, xt, modelOutput[k], a, s);
            if (clipSample) {
                x0 = Predictions.clip(x0);
            }
            double d = w == 0.0 ? x0 : (1.0 + w) * x0 - w * history[k];
            if (history != null) {
                history[k] = (float) x0;
            }
            double next = ratio * xt + dCoef * d;
            if (z != null) {
                next += noise * z[k];
            }
            x[k] = (float) next;
        }
    }

    @Override
    public String toString() {
        return (sde ? "dpmpp-sde(" : "dpmpp(") + timesteps.length + " steps" + (clipSample ? ", clip" : "") + ")";
    }
}
