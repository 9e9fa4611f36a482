package org.ddpm4j.runtime.pipeline;

/** Hears the progress of a {@link GenerationRequest}: denoiser steps done out of the total. */
@FunctionalInterface
public interface GenerationProgress {

    /** Ignores progress. */
    GenerationProgress NONE = (done, total) -> { };

    /**
     * Called after each denoising step of each batch.
     *
     * @param stepsDone  steps done so far, over all batches
     * @param stepsTotal steps of the whole request (batches x sampler steps)
     */
    void onProgress(long stepsDone, long stepsTotal);
}
