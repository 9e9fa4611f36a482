package org.ddpm4j.runtime.sampling;

import org.ddpm4j.runtime.schedule.NoiseSchedule;

/**
 * DDIM (Song et al. 2021), eq. (12), for a step from level t to the next level (the clean image after
 * the last):
 * <pre>
 *   x_0    = from the model output (clipped to [-1, 1] when asked)
 *   eps    = the model's epsilon, or re-derived from the clipped x_0 with use_clipped_model_output
 *   sigma  = eta sqrt((1 - ab_prev) / (1 - ab_t)) sqrt(1 - ab_t / ab_prev)
 *   x_prev = sqrt(ab_prev) x_0 + sqrt(1 - ab_prev - sigma^2) eps + sigma z
 * </pre>
 * eta = 0 is deterministic (the probability-flow ODE, first order); eta = 1 over all T steps is DDPM
 * ancestral sampling with the fixed_small variance. The default spacing is {@link TimestepSpacing#LINSPACE}.
 * {@code clippedModelOutput} is diffusers' {@code use_clipped_model_output} (default false there and here);
 * it only matters when x_0 is clipped.
 */
public final class DdimSampler extends TimestepSampler {

    private final double eta;
    private final boolean clippedModelOutput;

    /** {@code steps} timesteps evenly spaced from T-1 down to 0 ({@link TimestepSpacing#LINSPACE}). */
    public DdimSampler(NoiseSchedule schedule, int steps, double eta, boolean clipSample) {
        this(schedule, steps, eta, TimestepSpacing.LINSPACE, clipSample);
    }

    /** {@code steps} levels chosen by {@code spacing}, epsilon as the model gave it. */
    public DdimSampler(NoiseSchedule schedule, int steps, double eta, TimestepSpacing spacing, boolean clipSample) {
        this(schedule, checkedLevels(schedule, steps, spacing), eta, clipSample, false);
    }

    /**
     * DDIM over the given levels.
     *
     * @param clippedModelOutput re-derive epsilon from the clipped x_0 (diffusers' {@code use_clipped_model_output})
     */
    public DdimSampler(NoiseSchedule schedule, NoiseLevels levels, double eta, boolean clipSample,
            boolean clippedModelOutput) {
        super(schedule, levels, clipSample);
        this.eta = SamplerOptions.checkedEta(eta);
        this.clippedModelOutput = clippedModelOutput;
    }

    private static NoiseLevels checkedLevels(NoiseSchedule schedule, int steps, TimestepSpacing spacing) {
        if (steps < 1 || steps > schedule.timesteps()) {
            throw new IllegalArgumentException("DDIM steps must be in 1.." + schedule.timesteps() + ", found " + steps);
        }
        return spacing.levels(schedule, steps);
    }

    @Override
    public DdimSampler withLevels(NoiseLevels levels) {
        return new DdimSampler(schedule, levels, eta, clipSample, clippedModelOutput);
    }

    /** The stochasticity eta. */
    public double eta() {
        return eta;
    }

    /** Whether epsilon is re-derived from the clipped x_0. */
    public boolean clippedModelOutput() {
        return clippedModelOutput;
    }

    /** sigma of step i. */
    public double sigma(int i) {
        return eta * Math.sqrt(stridedPosteriorVariance(i));
    }

    /** The coefficient of epsilon ("direction pointing to x_t") of step i: sqrt(1 - ab_prev - sigma^2). */
    public double directionCoef(int i) {
        double sigma = sigma(i);
        return Math.sqrt(Math.max(0.0, 1.0 - alphaBarNext(i) - sigma * sigma));
    }

    @Override
    public double noiseScale(int i) {
        return sigma(i);
    }

    @Override
    public void step(int i, Prediction prediction, float[] x, float[] modelOutput, float[] z, float[] history) {
        double a = Math.sqrt(alphaBar(i));
        double s = Math.sqrt(1.0 - alphaBar(i));
        double aPrev = Math.sqrt(alphaBarNext(i));
        double dir = directionCoef(i);
        double sigma = sigma(i);
        for (int k = 0; k < x.length; k++) {
            double xt = x[k];
            double m = modelOutput[k];
            double x0 = Predictions.x0(prediction, xt, m, a, s);
            double eps;
            if (clipSample) {
                x0 = Predictions.clip(x0);
                eps = clippedModelOutput ? Predictions.epsilonFromX0(xt, x0, a, s)
                        : Predictions.epsilon(prediction, xt, m, a, s);
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
        return "ddim(" + timesteps.length + " steps, eta " + eta + (clipSample ? ", clip" : "")
                + (clippedModelOutput ? ", clipped model output" : "") + ")";
    }
}
