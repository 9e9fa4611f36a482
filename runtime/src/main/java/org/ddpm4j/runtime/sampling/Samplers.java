package org.ddpm4j.runtime.sampling;

import java.util.List;
import java.util.Locale;
import org.ddpm4j.runtime.schedule.NoiseSchedule;

/** Creates samplers by name: {@code ddpm}, {@code ddim}, {@code dpmpp} or {@code dpmpp-sde}. */
public final class Samplers {

    /** The sampler names {@link #create} knows. */
    public static final List<String> NAMES = List.of("ddpm", "ddim", "dpmpp", "dpmpp-sde");

    private Samplers() {
    }

    /**
     * Creates a sampler.
     *
     * <ul>
     *   <li>{@code ddpm}: ancestral sampling (Algorithm 2) with all T steps, strided when {@code steps} &lt; T.</li>
     *   <li>{@code ddim}: DDIM with {@link SamplerOptions#eta()}.</li>
     *   <li>{@code dpmpp}: DPM-Solver++(2M), for 10-25 steps.</li>
     *   <li>{@code dpmpp-sde}: DPM-Solver++(2M) SDE, stochastic (diffusers' {@code sde-dpmsolver++}).</li>
     * </ul>
     * Without a spacing in {@code options}, ddpm and ddim use {@link TimestepSpacing#LINSPACE} (T-1 ... 0)
     * and dpmpp uses {@link TimestepSpacing#TRAILING} (T-1 ... about T/steps - 1, then the clean image); dpmpp reads
     * linspace and leading without t = 0, as diffusers' multistep schedulers do. Every sampler accepts the sigma
     * spacings {@link TimestepSpacing#KARRAS} and {@link TimestepSpacing#LU_LAMBDAS}.
     *
     * @param name     the sampler's name (case-insensitive; "dpm++" and "dpmpp-2m" are read as dpmpp)
     * @param schedule the model's training schedule
     * @param steps    denoiser calls, 1..T; 0 or less means T for ddpm and is refused for the others
     * @param options  eta, variance, spacing, clipping
     * @throws IllegalArgumentException for an unknown name or a step count outside 1..T
     */
    /**
     * The spacing a sampler uses when none is given: {@link TimestepSpacing#TRAILING} for the
     * DPM-Solver++ family (any of its names), {@link TimestepSpacing#LINSPACE} for ddpm and ddim. Callers
     * that record the spacing (PNG text chunks) ask here rather than repeat the rule.
     */
    public static TimestepSpacing defaultSpacing(String name) {
        String id = canonical(name);
        return id.startsWith("dpmpp") || id.equals("dpm++") ? TimestepSpacing.TRAILING : TimestepSpacing.LINSPACE;
    }

    /** The name in lower case, with dpmpp-sde's aliases folded into it. */
    private static String canonical(String name) {
        String id = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (id.equals("dpmpp_sde") || id.equals("dpmpp-2m-sde") || id.equals("dpm++-sde")) {
            id = "dpmpp-sde";
        }
        return id;
    }

    public static TimestepSampler create(String name, NoiseSchedule schedule, int steps, SamplerOptions options) {
        String id = canonical(name);
        int T = schedule.timesteps();
        if (id.equals("ddpm") && steps <= 0) {
            steps = T;
        }
        if (NAMES.contains(id) || id.equals("dpm++") || id.equals("dpmpp-2m") || id.equals("dpmpp_2m")) {
            if (steps < 1 || steps > T) {
                throw new IllegalArgumentException(id + " steps must be in 1.." + T + " (the model's timesteps), found "
                        + steps);
            }
        }
        return switch (id) {
            case "ddpm" -> new DdpmSampler(schedule, steps, options.spacingOr(defaultSpacing(id)), options.variance(), options.clipSample());
            case "ddim" -> new DdimSampler(schedule, options.spacingOr(defaultSpacing(id)).levels(schedule, steps),
                    options.eta(), options.clipSample(), options.clippedModelOutput());
            case "dpmpp", "dpm++", "dpmpp-2m", "dpmpp_2m" ->
                    new DpmSolverSampler(schedule, steps, options.spacingOr(defaultSpacing(id)), options.clipSample());
            case "dpmpp-sde" ->
                    new DpmSolverSampler(schedule, steps, options.spacingOr(defaultSpacing(id)), options.clipSample(), true);
            default -> throw new IllegalArgumentException("Unknown sampler '" + name + "', expected one of "
                    + String.join(", ", NAMES));
        };
    }
}
