package org.ddpm4j.runtime.cli;

import java.util.Locale;
import org.ddpm4j.runtime.pipeline.GenerationRequest;
import org.ddpm4j.runtime.sampling.Samplers;
import org.ddpm4j.runtime.sampling.TimestepSpacing;
import org.ddpm4j.runtime.sampling.VarianceType;
import picocli.CommandLine.Option;

/**
 * The sampler settings of a sampling command: {@code --sampler}, {@code --steps}, {@code --spacing},
 * {@code --eta}, {@code --variance}, {@code --clip} and {@code --clipped-model-output}, the settings a
 * {@code ddpm sample} PNG records. A picocli mixin; not to be confused with the runtime's
 * {@link org.ddpm4j.runtime.sampling.SamplerOptions}, which this fills in through {@link #applyTo}.
 *
 * <p>{@code --steps}, {@code --spacing}, {@code --clip} and {@code --clipped-model-output} are null when not
 * given, because their defaults depend on the sampler or the model.
 */
public final class SamplingOptions {

    /** The default sampler, chosen from the measurements in docs/SAMPLERS.md. */
    public static final String DEFAULT_SAMPLER = "dpmpp-sde";
    /** Denoiser calls per image when {@code --steps} is not given (ddpm: all T). */
    public static final int DEFAULT_STEPS = 20;
    /** The default DDIM eta. */
    public static final double DEFAULT_ETA = 0;
    /** The default DDPM variance. */
    public static final String DEFAULT_VARIANCE = "fixed_small";

    @Option(names = "--sampler", paramLabel = "NAME", defaultValue = DEFAULT_SAMPLER,
            description = "ddpm, ddim, dpmpp or dpmpp-sde (default ${DEFAULT-VALUE}; see docs/SAMPLERS.md).")
    String sampler = DEFAULT_SAMPLER;

    @Option(names = "--steps", paramLabel = "N",
            description = "Denoiser calls per image (default " + DEFAULT_STEPS + "; ddpm: all T of the model).")
    Integer steps;

    @Option(names = "--spacing", paramLabel = "S",
            description = "Timestep spacing: linspace, leading, trailing, karras or lu (default: linspace for ddpm/ddim, "
                    + "trailing for dpmpp and dpmpp-sde).")
    String spacing;

    // "0", not "" + DEFAULT_ETA, so that the help says "default 0"
    @Option(names = "--eta", paramLabel = "ETA", defaultValue = "0",
            description = "DDIM stochasticity, 0 = deterministic to 1 = DDPM's variance (default ${DEFAULT-VALUE}).")
    double eta = DEFAULT_ETA;

    @Option(names = "--variance", paramLabel = "V", defaultValue = DEFAULT_VARIANCE,
            description = "DDPM variance: fixed_small or fixed_large (default ${DEFAULT-VALUE}).")
    String variance = DEFAULT_VARIANCE;

    @Option(names = "--clip", negatable = true,
            description = "Clip the predicted x0 to [-1, 1] (default: the model's ddpm.clip_sample).")
    Boolean clip;

    @Option(names = "--clipped-model-output", negatable = true,
            description = "DDIM with clipping: re-derive epsilon from the clipped x0 (diffusers' use_clipped_model_output; "
                    + "default off).")
    Boolean clippedModelOutput;

    /** {@code --sampler} as given (or the default). */
    public String sampler() {
        return sampler;
    }

    /** {@code --steps}, or null when not given. */
    public Integer steps() {
        return steps;
    }

    /** {@code --spacing}, or null when not given (the sampler's default). */
    public String spacing() {
        return spacing;
    }

    /** {@code --eta}. */
    public double eta() {
        return eta;
    }

    /** {@code --variance} as given (or the default). */
    public String variance() {
        return variance;
    }

    /** {@code --clip}, or null when not given (the model's {@code ddpm.clip_sample}). */
    public Boolean clip() {
        return clip;
    }

    /** {@code --clipped-model-output}, or null when not given (off). */
    public Boolean clippedModelOutput() {
        return clippedModelOutput;
    }

    /** The sampler's name in lower case, without surrounding blanks. */
    public String samplerId() {
        return id(sampler);
    }

    /** The steps: {@code --steps}, else {@link #defaultSteps} of the sampler. */
    public int stepsOrDefault() {
        return steps != null ? steps : defaultSteps(sampler);
    }

    /** The spacing: {@code --spacing}, else the sampler's default ({@link Samplers#defaultSpacing}). */
    public TimestepSpacing spacingOrDefault() {
        return spacing != null ? TimestepSpacing.fromId(spacing) : Samplers.defaultSpacing(samplerId());
    }

    /** {@code --clipped-model-output}, off when not given. */
    public boolean clippedModelOutputOrDefault() {
        return clippedModelOutput != null && clippedModelOutput;
    }

    /**
     * Denoiser calls per image when none are asked for: {@value #DEFAULT_STEPS}, and for {@code ddpm} 0, which
     * the runtime reads as all T of the model.
     */
    public static int defaultSteps(String sampler) {
        return id(sampler).equals("ddpm") ? 0 : DEFAULT_STEPS;
    }

    /**
     * Sets the sampler, steps, spacing, eta, variance, clipping and clipped model output of a request, each from
     * its option or its default (spacing and clipping: left to the sampler and the model when not given).
     *
     * @throws IllegalArgumentException for an unknown spacing or variance
     */
    public GenerationRequest.Builder applyTo(GenerationRequest.Builder request) {
        request.optSampler(samplerId()).optSteps(stepsOrDefault()).optEta(eta)
                .optVariance(VarianceType.fromId(variance)).optClippedModelOutput(clippedModelOutputOrDefault());
        if (spacing != null) {
            request.optSpacing(TimestepSpacing.fromId(spacing));
        }
        if (clip != null) {
            request.optClipSample(clip);
        }
        return request;
    }

    private static String id(String name) {
        return name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    }
}
