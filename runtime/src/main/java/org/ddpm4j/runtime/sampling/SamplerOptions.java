package org.ddpm4j.runtime.sampling;

/**
 * Options of {@link Samplers#create}; each sampler reads the ones that apply to it.
 *
 * @param eta        DDIM stochasticity (0 = deterministic; ignored by ddpm and dpmpp)
 * @param variance   DDPM reverse variance (ignored by ddim and dpmpp)
 * @param spacing    which timesteps a run with fewer than T steps visits; null means the sampler's default
 *                   ({@link TimestepSpacing#LINSPACE} for ddpm and ddim, {@link TimestepSpacing#TRAILING} for dpmpp)
 * @param clipSample whether the predicted x_0 is clipped to [-1, 1] (a model's {@code ddpm.clip_sample})
 * @param clippedModelOutput DDIM: re-derive epsilon from the clipped x_0 (diffusers' {@code use_clipped_model_output},
 *                   default false)
 */
public record SamplerOptions(double eta, VarianceType variance, TimestepSpacing spacing, boolean clipSample,
        boolean clippedModelOutput) {

    /** eta 0, fixed_small, each sampler's default spacing, no clipping. */
    public static final SamplerOptions DEFAULTS = new SamplerOptions(0.0, VarianceType.FIXED_SMALL, null, false, false);

    /** Options with {@code clippedModelOutput} false. */
    public SamplerOptions(double eta, VarianceType variance, TimestepSpacing spacing, boolean clipSample) {
        this(eta, variance, spacing, clipSample, false);
    }

    public SamplerOptions {
        checkedEta(eta);
        if (variance == null) {
            throw new IllegalArgumentException("variance is required (fixed_small or fixed_large)");
        }
    }

    /** The spacing, or {@code fallback} when none was chosen. */
    public TimestepSpacing spacingOr(TimestepSpacing fallback) {
        return spacing == null ? fallback : spacing;
    }

    public SamplerOptions withEta(double value) {
        return new SamplerOptions(value, variance, spacing, clipSample, clippedModelOutput);
    }

    public SamplerOptions withVariance(VarianceType value) {
        return new SamplerOptions(eta, value, spacing, clipSample, clippedModelOutput);
    }

    public SamplerOptions withSpacing(TimestepSpacing value) {
        return new SamplerOptions(eta, variance, value, clipSample, clippedModelOutput);
    }

    public SamplerOptions withClipSample(boolean value) {
        return new SamplerOptions(eta, variance, spacing, value, clippedModelOutput);
    }

    public SamplerOptions withClippedModelOutput(boolean value) {
        return new SamplerOptions(eta, variance, spacing, clipSample, value);
    }

    /**
     * DDIM's eta, checked: between 0 (deterministic DDIM) and 1 (the DDPM posterior's variance). Above 1 the noise
     * added at a step would exceed what the next noise level holds, and the step would no longer be DDIM's.
     *
     * @throws IllegalArgumentException naming the value found
     */
    public static double checkedEta(double eta) {
        if (!(eta >= 0 && eta <= 1)) {
            throw new IllegalArgumentException("eta must be between 0 (deterministic DDIM) and 1 (DDPM's variance), found "
                    + eta);
        }
        return eta;
    }
}
