package org.ddpm4j.runtime.noise;

import java.util.SplittableRandom;

/**
 * A seeded stream of standard normal numbers, identical on every JVM and in every module: the
 * trainer and the runtime draw their noise from this class so that trajectories can be compared
 * step by step.
 *
 * <p>Uniforms come from {@link SplittableRandom} (whose algorithm is specified), turned into
 * normals by the Box-Muller transform in double precision with {@link StrictMath} (fdlibm's log, sin and cos,
 * the same bits on every JVM and CPU; {@link Math}'s may use intrinsics that differ in the last bit).
 * Not thread-safe: use one instance per
 * thread or per image.
 */
public final class GaussianNoise {

    private final SplittableRandom random;
    private double spare;
    private boolean hasSpare;

    public GaussianNoise(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** The next standard normal value. */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u1 = 1.0 - random.nextDouble(); // (0, 1], so log is finite
        double u2 = random.nextDouble();
        double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
        double theta = 2.0 * StrictMath.PI * u2;
        spare = r * StrictMath.sin(theta);
        hasSpare = true;
        return r * StrictMath.cos(theta);
    }

    /** Fills {@code dst[offset .. offset+length)} with standard normal values. */
    public void fill(float[] dst, int offset, int length) {
        for (int i = offset, end = offset + length; i < end; i++) {
            dst[i] = (float) nextGaussian();
        }
    }

    /** Fills all of {@code dst} with standard normal values. */
    public void fill(float[] dst) {
        fill(dst, 0, dst.length);
    }

    /** A uniform integer in [0, bound), from the same stream (for timesteps in training). */
    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** A uniform double in [0, 1), from the same stream. */
    public double nextDouble() {
        return random.nextDouble();
    }
}
