package org.ddpm4j.runtime.sampling;

import org.ddpm4j.runtime.schedule.NoiseSchedule;

/**
 * DDIM (Song et al. 2021), eq. (12), for a step from t to prev (-1 is the clean image):
 * <pre>
 *   x_0    = from the model output (clipped to [-1, 1] when asked; epsilon is then re-derived from it)
 *   sigma  = eta sqrt((1 - ab_prev) / (1 - ab_t)) sqrt(1 - ab_t / ab_prev)  = eta sqrt(posteriorVariance(t, prev))
 *   x_prev = sqrt(ab_prev) x_0 + sqrt(1 - ab_prev - sigma^2) eps + sigma z
 * </pre>
 * eta = 0 is deterministic (the probability-flow ODE, first order); eta = 1 over all T steps is DDPM
 * ancestral sampling with the fixed_small variance. The default spacing is {@link TimestepSpacing#LINSPACE}.
 */
public final class DdimSampler extends TimestepSampler {

    private final double eta;

    /** {@code steps} timesteps evenly spaced from T-1 down to 0 ({@link TimestepSpacing#LINSPACE}). */
    public DdimSampler(NoiseSchedule schedule, int steps, double eta, boolean clipSample) {
        this(schedule, steps, eta, TimestepSpacing.LINSPACE, clipSample);
    }

    /** {@code steps} timesteps chosen by {@code spacing}. */
    public DdimSampler(NoiseSchedule schedule, int steps, double eta, TimestepSpacing spacing, boolean clipSample) {
        super(schedule, checkedTimesteps(schedule, steps, eta, spacing), clipSample);
        this.eta = eta;
    }

    private static int[] checkedTimesteps(NoiseSchedule schedule, int steps, double eta, TimestepSpacing spacing) {
        if (steps < 1 || steps > schedule.timesteps()) {
            throw new IllegalArgumentException("DDIM steps must be in 1.." + schedule.timesteps() + ", found " + steps);
        }
        if (!(eta >= 0)) {
            throw new IllegalArgumentException("eta must be >= 0, found " + eta);
        }
        return spacing.timesteps(schedule.timesteps(), steps);
    }

    /** The stochasticity eta. */
    public double eta() {
        return eta;
    }

    /** sigma of step i. */
    public double sigma(int i) {
        return eta * Math.sqrt(schedule.posteriorVariance(timesteps[i], previousTimestep(i)));
    }

    /** The coefficient of epsilon ("direction pointing to x_t") of step i: sqrt(1 - ab_prev - sigma^2). */
    public double directionCoef(int i) {
        double sigma = sigma(i);
        return Math.sqrt(Math.max(0.0, 1.0 - schedule.alphaBarOrOne(previousTimestep(i)) - sigma * sigma));
    }

    @Override
    public double noiseScale(int i) {
        return sigma(i);
    }

    @Override
    public void step(int i, Prediction prediction, float[] x, float[] modelOutput, float[] z, float[] history) {
        int t = timesteps[i];
        double a = schedule.sqrtAlphaBar(t);
        double s = schedule.sqrtOneMinusAlphaBar(t);
        double aPrev = Math.sqrt(schedule.alphaBarOrOne(previousTimestep(i)));
        double dir = directionCoef(i);
        double sigma = sigma(i);
        for (int k = 0; k < x.length; k++) {
            double xt = x[k];
            double m = modelOutput[k];
            double x0 = Predictions.x0(prediction, xt, m, a, s);
            double eps;
            if (clipSample) {
                x0 = Predictions.clip(x0);
                eps = Predictions.epsilonFromX0(xt, x0, a, s);
            } else {
                eps = Predictions.epsilon(prediction, xt, m, a, s);
            }
            double next = aPrev * x0 + dir * eps;
            if (z != null) {
                next += sigma * z[k];
            }
            x[k] = (float) next;
        }
    }

    @Override
    public String toString() {
        return "ddim(" + timesteps.length + " steps, eta " + eta + (clipSample ? ", clip" : "") + ")";
    }
}
