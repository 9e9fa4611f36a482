package org.ddpm4j.fid;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Pure noise images, the FID table's worst case: each pixel is standard Gaussian noise in model
 * scale ([-1, 1], what x_T looks like), clipped and mapped to [0, 1]. Seeded, so reproducible.
 */
public final class NoiseImageSource implements ImageSource {

    private final int count;
    private final int channels;
    private final int height;
    private final int width;
    private final SplittableRandom random;
    private final long seed;
    private int position;

    /** {@code count} noise images of the given shape from {@code seed}. */
    public NoiseImageSource(int count, int channels, int height, int width, long seed) {
        if (count <= 0) {
            throw new IllegalArgumentException("noise image count must be positive, found " + count);
        }
        new FidImage(channels, height, width, new float[channels * height * width]); // validates the shape
        this.count = count;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public String description() {
        return "noise " + count + "x" + channels + "x" + height + "x" + width + " seed " + seed;
    }

    @Override
    public long size() {
        return count;
    }

    @Override
    public List<FidImage> next(int max) {
        int n = Math.min(max, count - position);
        List<FidImage> out = new ArrayList<>(Math.max(0, n));
        for (int k = 0; k < n; k++) {
            float[] p = new float[channels * height * width];
            for (int i = 0; i < p.length; i++) {
                double v = Math.max(-1.0, Math.min(1.0, gaussian()));
                p[i] = (float) ((v + 1.0) * 0.5);
            }
            out.add(new FidImage(channels, height, width, p));
            position++;
        }
        return out;
    }

    private double gaussian() {
        // Box-Muller on the seeded stream (SplittableRandom has no nextGaussian on Java 17)
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
