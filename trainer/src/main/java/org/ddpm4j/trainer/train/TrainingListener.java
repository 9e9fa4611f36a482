package org.ddpm4j.trainer.train;

import java.nio.file.Path;

/** Hears a training run's progress. Every method has an empty default. */
public interface TrainingListener {

    /** A listener that ignores everything. */
    TrainingListener NONE = new TrainingListener() { };

    /** Training starts (or resumes) at {@code fromStep} and runs until {@code untilStep}. */
    default void onStart(long fromStep, long untilStep) {
    }

    /**
     * A step finished.
     *
     * @param step            steps done, from 1
     * @param loss            this step's loss
     * @param smoothedLoss    an exponential moving average of the loss
     * @param imagesPerSecond training throughput over recent steps
     */
    default void onStep(long step, float loss, double smoothedLoss, double imagesPerSecond) {
    }

    /** A checkpoint was written. */
    default void onCheckpoint(long step, Path dir) {
    }

    /** A sample grid was written. */
    default void onSamples(long step, Path png) {
    }

    /** A line worth telling the user. */
    default void onMessage(String message) {
    }

    /** Training ended (normally or not). */
    default void onEnd() {
    }
}
