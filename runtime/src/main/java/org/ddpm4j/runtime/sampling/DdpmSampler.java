package org.ddpm4j.runtime.sampling;

import org.ddpm4j.runtime.schedule.NoiseSchedule;

/**
 * DDPM ancestral sampling (Ho et al. 2020, Algorithm 2), and its strided form for fewer steps.
 *
 * <p>For a step from t to prev (prev = t-1 with all T steps, or the next visited timestep when
 * strided; -1 is the clean image), with ab = alpha_bar:
 * <pre>
 *   beta'    = 1 - ab_t / ab_prev                               (the strided beta)
 *   x_0      = from the model output (clipped to [-1, 1] when asked)
 *   mean     = sqrt(ab_prev) beta' / (1 - ab_t) x_0 + sqrt(1 - beta') (1 - ab_prev) / (1 - ab_t) x_t   eq. (7)
 *   sigma^2  = fixed_small: (1 - ab_prev) / (1 - ab_t) beta'    fixed_large: beta'
 *   x_prev   = mean + sigma z,  z ~ N(0, I), no noise at the last step
 * </pre>
 * Without clipping and with all T steps, the mean equals Algorithm 2's
 * 1/sqrt(alpha_t) (x_t - beta_t / sqrt(1 - ab_t) eps).
 */
public final class DdpmSampler extends TimestepSampler {

    private final VarianceType variance;

    /** All T steps, fixed_small variance: the paper's sampler. */
    public DdpmSampler(NoiseSchedule schedule, boolean clipSample) {
        this(schedule, schedule.timesteps(), TimestepSpacing.LINSPACE, VarianceType.FIXED_SMALL, clipSample);
    }

    /** {@code steps} of the T timesteps (strided when fewer than T), chosen by {@code spacing}. */
    public DdpmSampler(NoiseSchedule schedule, int steps, TimestepSpacing spacing, VarianceType variance,
            boolean clipSample) {
        super(schedule, spacing.levels(schedule, steps), clipSample);
        this.variance = variance;
    }

    /** DDPM over the given levels. */
    public DdpmSampler(NoiseSchedule schedule, NoiseLevels levels, VarianceType variance, boolean clipSample) {
        super(schedule, levels, clipSample);
        this.variance = variance;
    }

    @Override
    public DdpmSampler withLevels(NoiseLevels levels) {
        return new DdpmSampler(schedule, levels, variance, clipSample);
    }

    public VarianceType variance() {
        return variance;
    }

    /** The strided beta of step i: 1 - ab_t / ab_prev. */
    public double stridedBeta(int i) {
        return 1.0 - alphaBar(i) / alphaBarNext(i);
    }

    /** Coefficient of x_0 in the posterior mean of step i. */
    public double meanCoefX0(int i) {
        return Math.sqrt(alphaBarNext(i)) * stridedBeta(i) / (1.0 - alphaBar(i));
    }

    /** Coefficient of x_t in the posterior mean of step i. */
    public double meanCoefXt(int i) {
        return Math.sqrt(1.0 - stridedBeta(i)) * (1.0 - alphaBarNext(i)) / (1.0 - alphaBar(i));
    }

    /** sigma^2 of step i (0 at the last step). */
    public double variance(int i) {
        if (i == timesteps.length - 1) {
            return 0.0;
        }
        return variance == VarianceType.FIXED_SMALL
                ? stridedPosteriorVariance(i)
                : stridedBeta(i);
    }

    @Override
    public double noiseScale(int i) {
        return Math.sqrt(variance(i));
    }

    @Override
    public void step(int i, Prediction prediction, float[] x, float[] modelOutput, float[] z, float[] history) {
        double a = Math.sqrt(alphaBar(i));
        double s = Math.sqrt(1.0 - alphaBar(i));
        double c0 = meanCoefX0(i);
        double ct = meanCoefXt(i);
        double sigma = noiseScale(i);
        for (int k = 0; k < x.length; k++) {
            double xt = x[k];
            double x0 = Predictions.x0(prediction, xt, modelOutput[k], a, s);
            if (clipSample) {
                x0 = Predictions.clip(x0);
            }
            double next = c0 * x0 + ct * xt;
            if (z != null) {
                next += sigma * z[k];
            }
            x[k] = (float) next;
        }
    }

    @Override
    public String toString() {
        return "ddpm(" + timesteps.length + " steps, " + variance + (clipSample ? ", clip" : "") + ")";
    }
}
