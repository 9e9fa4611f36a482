package org.ddpm4j.runtime.sampling;

import org.ddpm4j.runtime.noise.BatchNoise;

/** A reverse-process sampler: turns x_T into a sample with a {@link Denoiser}. */
public interface Sampler {

    /** Number of denoiser calls this sampler makes. */
    int steps();

    /**
     * Runs the reverse process.
     *
     * @param model    the noise predictor
     * @param x        x_T on entry ({@code B*C*H*W} values), the final sample on return
     * @param noise    per-image noise streams for stochastic steps (batch size B)
     * @param listener progress and cancellation
     */
    void sample(Denoiser model, float[] x, BatchNoise noise, SamplingListener listener);
}
