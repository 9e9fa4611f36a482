package org.ddpm4j.runtime.sampling;

/** Hears each step of a reverse-process run, and may cancel it. */
public interface SamplingListener {

    /** A listener that does nothing. */
    SamplingListener NONE = (step, total, t, x) -> { };

    /**
     * Called after each denoising step.
     *
     * @param step  steps done so far, 1..total
     * @param total steps of the whole run
     * @param t     the timestep index just processed
     * @param x     the current sample x_{t-1} (do not keep or modify it)
     */
    void onStep(int step, int total, int t, float[] x);

    /** Polled before each step; returning true stops the run with a {@link java.util.concurrent.CancellationException}. */
    default boolean isCancelled() {
        return false;
    }
}
