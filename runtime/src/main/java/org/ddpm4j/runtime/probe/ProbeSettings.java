package org.ddpm4j.runtime.probe;

import java.util.SplittableRandom;

/**
 * What a probe records: the forward batch (one seed per image; timesteps 0, T/2, T-1, then seeded
 * random ones) and a short seeded DDIM trajectory, with the tolerances a copy must meet.
 *
 * @param inputSeeds          one seed per forward-probe image (batch size = length)
 * @param timestepSeed        seed of the random timesteps after the first three
 * @param tolerance           allowed max abs difference on the outputs
 * @param trajectorySeeds     seeds of the trajectory's batch noise
 * @param trajectorySteps     DDIM steps
 * @param trajectoryEta       DDIM eta
 * @param trajectoryTolerance allowed max abs difference on the trajectory's final images
 * @param trajectoryMinPsnr   smallest allowed PSNR (dB) of the trajectory's final images
 */
public record ProbeSettings(
        long[] inputSeeds,
        long timestepSeed,
        double tolerance,
        long[] trajectorySeeds,
        int trajectorySteps,
        double trajectoryEta,
        double trajectoryTolerance,
        double trajectoryMinPsnr) {

    /** Default tolerance on epsilon for float32 weights: 1e-4 max abs. */
    public static final double FP32_TOLERANCE = 1e-4;

    /** Default trajectory tolerance for float32 weights: 1e-3 max abs on the final images. */
    public static final double FP32_TRAJECTORY_TOLERANCE = 1e-3;
    /** Default smallest trajectory PSNR for float32 weights, in dB. */
    public static final double FP32_TRAJECTORY_MIN_PSNR = 80;

    /**
     * Four images (t = 0, T/2, T-1, random), a 2-image 5-step DDIM trajectory (eta 0), float32
     * tolerances: 1e-4 max abs on epsilon, 1e-3 max abs and 80 dB PSNR on the trajectory.
     */
    public static ProbeSettings defaults() {
        return new ProbeSettings(new long[] {1001, 1002, 1003, 1004}, 2024, FP32_TOLERANCE,
                new long[] {7, 8}, 5, 0.0, FP32_TRAJECTORY_TOLERANCE, FP32_TRAJECTORY_MIN_PSNR);
    }

    /** These settings with other tolerances. */
    public ProbeSettings withTolerances(double forward, double trajectory, double trajectoryPsnr) {
        return new ProbeSettings(inputSeeds, timestepSeed, forward, trajectorySeeds, trajectorySteps, trajectoryEta,
                trajectory, trajectoryPsnr);
    }

    /** The probe timesteps for a T-step schedule: 0, T/2, T-1, then uniform random ones from {@link #timestepSeed}. */
    public long[] timesteps(int totalSteps) {
        long[] fixed = {0, totalSteps / 2, totalSteps - 1};
        long[] ts = new long[inputSeeds.length];
        SplittableRandom random = new SplittableRandom(timestepSeed);
        for (int i = 0; i < ts.length; i++) {
            ts[i] = i < fixed.length ? fixed[i] : random.nextInt(totalSteps);
        }
        return ts;
    }
}
