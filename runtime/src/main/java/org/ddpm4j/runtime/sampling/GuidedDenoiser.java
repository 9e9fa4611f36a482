package org.ddpm4j.runtime.sampling;

/**
 * Classifier-free guidance (Ho and Salimans 2022) in front of a class-conditional denoiser: for a
 * fixed label per image and a guidance scale w, it predicts
 * {@code out(null) + w * (out(class) - out(null))}, applied to the model's output whatever its
 * {@link Prediction} is. The samplers see an ordinary {@link Denoiser}.
 *
 * <p>w = 1 is one conditional call and w = 0 one call with the null label; any other w makes one
 * call on a batch of 2B (the images with their labels, then the same images with the null label),
 * so the model runs once per step. The 2B arrays are allocated once and reused; an instance
 * therefore serves one sampling run at a time (not thread-safe).
 */
public final class GuidedDenoiser implements Denoiser {

    private final Denoiser model;
    private final long[] labels;
    private final double guidance;
    private final long nullLabel;
    private float[] doubledSample;
    private float[] doubledOut;
    private long[] doubledTimesteps;
    private long[] doubledLabels;

    /**
     * @param model    a class-conditional denoiser ({@link Denoiser#classCount()} K &gt; 0)
     * @param labels   one label 0..K-1 per image of every batch this instance will see (K, the null
     *                 label, is allowed and gives the unconditional prediction)
     * @param guidance the scale w (finite; 1 = the conditional model alone)
     * @throws IllegalArgumentException for an unconditional model, a label out of range or a non-finite w
     */
    public GuidedDenoiser(Denoiser model, long[] labels, double guidance) {
        int k = model.classCount();
        if (k < 1) {
            throw new IllegalArgumentException("guidance needs a class-conditional model; this one is unconditional");
        }
        if (!Double.isFinite(guidance)) {
            throw new IllegalArgumentException("guidance scale must be finite, found " + guidance);
        }
        for (long l : labels) {
            if (l < 0 || l > k) {
                throw new IllegalArgumentException("class label " + l + " is out of range: expected 0.." + (k - 1)
                        + " (or " + k + ", the null label)");
            }
        }
        this.model = model;
        this.labels = labels.clone();
        this.guidance = guidance;
        this.nullLabel = k;
    }

    /** The guidance scale w. */
    public double guidance() {
        return guidance;
    }

    @Override
    public int channels() {
        return model.channels();
    }

    @Override
    public int height() {
        return model.height();
    }

    @Override
    public int width() {
        return model.width();
    }

    @Override
    public Prediction prediction() {
        return model.prediction();
    }

    @Override
    public int classCount() {
        return model.classCount();
    }

    @Override
    public void predict(float[] sample, long[] timesteps, long[] labelsIn, float[] out) {
        model.predict(sample, timesteps, labelsIn, out);
    }

    @Override
    public void predict(float[] sample, long[] timesteps, float[] out) {
        int b = timesteps.length;
        if (b != labels.length) {
            throw new IllegalArgumentException("guided denoiser holds " + labels.length + " labels, found a batch of "
                    + b);
        }
        if (guidance == 1.0) {
            model.predict(sample, timesteps, labels, out);
            return;
        }
        if (guidance == 0.0) {
            long[] nulls = new long[b];
            java.util.Arrays.fill(nulls, nullLabel);
            model.predict(sample, timesteps, nulls, out);
            return;
        }
        int n = sample.length;
        if (doubledSample == null || doubledSample.length != 2 * n) {
            doubledSample = new float[2 * n];
            doubledOut = new float[2 * n];
            doubledTimesteps = new long[2 * b];
            doubledLabels = new long[2 * b];
            System.arraycopy(labels, 0, doubledLabels, 0, b);
            java.util.Arrays.fill(doubledLabels, b, 2 * b, nullLabel);
        }
        System.arraycopy(sample, 0, doubledSample, 0, n);
        System.arraycopy(sample, 0, doubledSample, n, n);
        System.arraycopy(timesteps, 0, doubledTimesteps, 0, b);
        System.arraycopy(timesteps, 0, doubledTimesteps, b, b);
        model.predict(doubledSample, doubledTimesteps, doubledLabels, doubledOut);
        guide(doubledOut, n, guidance, out);
    }

    /**
     * The guided mix of a 2B output: {@code out[i] = u[i] + w (c[i] - u[i])} with {@code c} the first
     * {@code n} values of {@code both} (conditional) and {@code u} the next {@code n} (null label).
     */
    public static void guide(float[] both, int n, double w, float[] out) {
        float wf = (float) w;
        for (int i = 0; i < n; i++) {
            float u = both[n + i];
            out[i] = u + wf * (both[i] - u);
        }
    }
}
