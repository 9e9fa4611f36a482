package org.ddpm4j.trainer.train;

import org.ddpm4j.runtime.noise.GaussianNoise;

/**
 * Which images form the batch of step s: the data set is walked epoch by epoch, each epoch in a
 * shuffled order derived from (seed, epoch), so any step's batch can be computed without history.
 */
public final class BatchPlan {

    private final int size;
    private final int batch;
    private final long seed;
    private long cachedEpoch = -1;
    private int[] cachedOrder;

    /**
     * @param size  images in the data set
     * @param batch images per step
     * @param seed  run seed
     */
    public BatchPlan(int size, int batch, long seed) {
        this.size = size;
        this.batch = batch;
        this.seed = seed;
    }

    /** The data set indices of step {@code step}'s batch. */
    public int[] indices(long step) {
        int[] out = new int[batch];
        for (int k = 0; k < batch; k++) {
            long pos = step * batch + k;
            long epoch = pos / size;
            out[k] = order(epoch)[(int) (pos % size)];
        }
        return out;
    }

    private int[] order(long epoch) {
        if (epoch != cachedEpoch) {
            int[] p = new int[size];
            for (int i = 0; i < size; i++) {
                p[i] = i;
            }
            GaussianNoise rng = new GaussianNoise(Seeds.derive(seed, Seeds.EPOCH, epoch));
            for (int i = size - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            cachedOrder = p;
            cachedEpoch = epoch;
        }
        return cachedOrder;
    }
}
