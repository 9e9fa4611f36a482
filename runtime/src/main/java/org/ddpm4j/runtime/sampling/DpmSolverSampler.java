package org.ddpm4j.runtime.sampling;

import org.ddpm4j.runtime.schedule.NoiseSchedule;

/**
 * DPM-Solver++(2M) (Lu et al. 2022, Algorithm 2): a deterministic second-order multistep solver of
 * the diffusion ODE in data-prediction form, good in 10-25 steps.
 *
 * <p>With alpha = sqrt(ab), sigma = sqrt(1 - ab) and lambda = log(alpha / sigma) at each visited
 * timestep, a step from s = t_i to t = t_{i+1} with h = lambda_t - lambda_s is
 * <pre>
 *   D      = x_0(s)                                                 first step (no history)
 *   D      = (1 + 1/(2r)) x_0(s) - 1/(2r) x_0(s_prev),  r = h_prev / h   later steps
 *   x_t    = (sigma_t / sigma_s) x_s - alpha_t (e^{-h} - 1) D
 * </pre>
 * The last step goes to the clean image (sigma = 0, lambda = infinity), where the first-order update
 * reduces to x = x_0(s) (diffusers' {@code final_sigmas_type="zero"} with a first-order final step).
 * The second-to-last step is first order as well when it lands on t = 0 (the jump in lambda to t = 0 is
 * so much longer than the previous step that the 2M extrapolation overshoots). Unlike diffusers we keep
 * second order in the final steps below 15 steps: on the analytic Gaussian test it is the more accurate.
 *
 * <p>Use {@link TimestepSpacing#TRAILING} (the default {@link Samplers#create} gives it): it starts at
 * T-1 and never spends a model call on t = 0.
 */
public final class DpmSolverSampler extends TimestepSampler {

    /** {@code steps} timesteps chosen by {@code spacing}. */
    public DpmSolverSampler(NoiseSchedule schedule, int steps, TimestepSpacing spacing, boolean clipSample) {
        super(schedule, spacing.timesteps(schedule.timesteps(), steps), clipSample);
    }

    /** lambda = log(alpha / sigma) at timestep t: half the log signal-to-noise ratio. */
    public double lambda(int t) {
        return Math.log(schedule.sqrtAlphaBar(t) / schedule.sqrtOneMinusAlphaBar(t));
    }

    /** The step size h of step i in lambda (infinite for the last step). */
    public double h(int i) {
        int prev = previousTimestep(i);
        return prev < 0 ? Double.POSITIVE_INFINITY : lambda(prev) - lambda(timesteps[i]);
    }

    /**
     * The weight 1/(2r) of the previous x_0 in step i's second-order estimate D (0 for a first-order step:
     * the first and the last).
     */
    public double historyWeight(int i) {
        int n = timesteps.length;
        boolean lowerOrderSecondLast = i == n - 2 && timesteps[n - 1] == 0;
        if (i == 0 || previousTimestep(i) < 0 || lowerOrderSecondLast) {
            return 0.0;
        }
        double hPrev = lambda(timesteps[i]) - lambda(timesteps[i - 1]);
        double r = hPrev / h(i);
        return 1.0 / (2.0 * r);
    }

    @Override
    public double noiseScale(int i) {
        return 0.0;
    }

    @Override
    protected boolean usesHistory() {
        return true;
    }

    @Override
    public void step(int i, Prediction prediction, float[] x, float[] modelOutput, float[] z, float[] history) {
        int t = timesteps[i];
        int prev = previousTimestep(i);
        double a = schedule.sqrtAlphaBar(t);
        double s = schedule.sqrtOneMinusAlphaBar(t);
        boolean last = prev < 0;
        double ratio = last ? 0.0 : schedule.sqrtOneMinusAlphaBar(prev) / s;
        double dCoef = last ? 1.0 : -schedule.sqrtAlphaBar(prev) * Math.expm1(-h(i));
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
            x[k] = (float) (ratio * xt + dCoef * d);
        }
    }

    @Override
    public String toString() {
        return "dpmpp(" + timesteps.length + " steps" + (clipSample ? ", clip" : "") + ")";
    }
}
