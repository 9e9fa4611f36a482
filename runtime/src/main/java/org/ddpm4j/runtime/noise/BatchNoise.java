package org.ddpm4j.runtime.noise;

/**
 * One {@link GaussianNoise} stream per image of a batch, so that image k depends only on its own
 * seed: generating it alone, or in any batch, gives the same pixels.
 */
public final class BatchNoise {

    private final GaussianNoise[] streams;
    private final long[] seeds;

    /** One stream per seed; the batch size is {@code seeds.length}. */
    public BatchNoise(long... seeds) {
        if (seeds.length == 0) {
            throw new IllegalArgumentException("a batch needs at least one seed");
        }
        this.seeds = seeds.clone();
        this.streams = new GaussianNoise[seeds.length];
        for (int i = 0; i < seeds.length; i++) {
            streams[i] = new GaussianNoise(seeds[i]);
        }
    }

    /** Seeds {@code first, first+1, ..., first+count-1}: the convention of {@code ddpm sample --seed}. */
    public static BatchNoise consecutive(long first, int count) {
        long[] s = new long[count];
        for (int i = 0; i < count; i++) {
            s[i] = first + i;
        }
        return new BatchNoise(s);
    }

    public int batchSize() {
        return streams.length;
    }

    /** The seeds, in batch order. */
    public long[] seeds() {
        return seeds.clone();
    }

    /** The stream of image {@code k}. */
    public GaussianNoise stream(int k) {
        return streams[k];
    }

    /**
     * Fills {@code dst}, laid out as {@code batchSize} images of {@code dst.length / batchSize}
     * values each, image k from stream k.
     */
    public void fill(float[] dst) {
        int per = dst.length / streams.length;
        if (per * streams.length != dst.length) {
            throw new IllegalArgumentException("buffer of " + dst.length + " values is not "
                    + streams.length + " equal images");
        }
        for (int k = 0; k < streams.length; k++) {
            streams[k].fill(dst, k * per, per);
        }
    }
}
