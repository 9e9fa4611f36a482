package org.ddpm4j.trainer.train;

/**
 * Derives independent seeds from (run seed, stream, index) with the SplitMix64 finaliser, so that
 * every random draw of step s depends only on the run seed and s: a resumed run needs no saved
 * random-number state.
 */
public final class Seeds {

    /** Stream of the per-step draws (timesteps, flips, noise). */
    public static final long STEP = 1;
    /** Stream of the per-epoch batch order. */
    public static final long EPOCH = 2;
    /** Stream of the per-step PyTorch seed (dropout). */
    public static final long DROPOUT = 3;
    /** Stream of the initial weights. */
    public static final long INIT = 4;
    /** Stream of the per-step label dropout of class-conditional runs (apart, so unconditional runs draw as before). */
    public static final long LABELS = 5;

    private Seeds() {
    }

    /** A well-mixed 64-bit seed for {@code (seed, stream, index)}. */
    public static long derive(long seed, long stream, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + (stream + 1) * 0xD1B54A32D192ED03L + (index + 1) * 0xAEF17502108EF2D9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
