package org.ddpm4j.trainer.train;

import java.lang.management.ManagementFactory;

/**
 * What a run has cost so far, apart from evaluation: the training process's CPU seconds and wall
 * seconds over the steps done (summed across resumed sessions, stored in each checkpoint), and the
 * threads it trains with. Training hours are CPU seconds / threads / 3600, so cores that other work
 * shares do not count as training time.
 *
 * @param cpuSeconds  CPU seconds of the training process spent on training steps, checkpoints and
 *                    grids (evaluation excluded)
 * @param wallSeconds wall seconds of the same
 * @param evalSeconds wall seconds spent on evaluation ({@code --eval-every}), reported apart
 * @param threads     the training threads (for training hours)
 */
public record TrainingClock(double cpuSeconds, double wallSeconds, double evalSeconds, int threads) {

    /** A run that has not started (or a checkpoint written before clocks were recorded). */
    public static final TrainingClock ZERO = new TrainingClock(0, 0, 0, 0);

    /** Training hours: CPU seconds / threads / 3600 (0 when the threads are unknown). */
    public double trainingHours() {
        return threads <= 0 ? 0 : cpuSeconds / threads / 3600.0;
    }

    /** This process's CPU time so far, in seconds (all its threads; NaN where the JVM cannot tell). */
    public static double processCpuSeconds() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            long ns = sun.getProcessCpuTime();
            return ns < 0 ? Double.NaN : ns / 1e9;
        }
        return Double.NaN;
    }
}
