package org.ddpm4j.runtime.sampling;

import java.util.concurrent.CancellationException;
import org.ddpm4j.runtime.noise.BatchNoise;
import org.ddpm4j.runtime.schedule.NoiseSchedule;

/**
 * DDIM (Song et al. 2021), eq. (12): x_prev = sqrt(ab_prev) x0 + sqrt(1 - ab_prev - sigma^2) eps + sigma z,
 * sigma = eta sqrt((1 - ab_prev) / (1 - ab)) sqrt(1 - ab / ab_prev). eta = 0 is deterministic.
 * Timesteps are evenly spaced from T-1 down to 0 (linspace, rounded).
 */
public final class DdimSampler implements Sampler {

    private final NoiseSchedule schedule;
    private final int[] timesteps;
    private final double eta;
    private final boolean clipSample;

    public DdimSampler(NoiseSchedule schedule, int steps, double eta, boolean clipSample) {
        if (steps < 1 || steps > schedule.timesteps()) {
            throw new IllegalArgumentException("DDIM steps must be in 1.." + schedule.timesteps() + ", found " + steps);
        }
        if (eta < 0) {
            throw new IllegalArgumentException("eta must be >= 0, found " + eta);
        }
        this.schedule = schedule;
        this.timesteps = linspace(schedule.timesteps(), steps);
        this.eta = eta;
        this.clipSample = clipSample;
    }

    /** {@code steps} timesteps from T-1 down to 0, evenly spaced and rounded. */
    static int[] linspace(int timesteps, int steps) {
        int[] ts = new int[steps];
        for (int i = 0; i < steps; i++) {
            ts[i] = steps == 1 ? timesteps - 1
                    : (int) Math.round((timesteps - 1) * (1.0 - (double) i / (steps - 1)));
        }
        return ts;
    }

    @Override
    public int steps() {
        return timesteps.length;
    }

    /** The timesteps visited, in order. */
    public int[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public void sample(Denoiser model, float[] x, BatchNoise noise, SamplingListener listener) {
        int batch = noise.batchSize();
        int per = x.length / batch;
        float[] out = new float[x.length];
        float[] z = eta > 0 ? new float[x.length] : null;
        long[] t = new long[batch];
        for (int i = 0; i < timesteps.length; i++) {
            if (listener.isCancelled()) {
                throw new CancellationException("sampling cancelled at step " + i + " of " + timesteps.length);
            }
            int ti = timesteps[i];
            int prev = i + 1 < timesteps.length ? timesteps[i + 1] : -1;
            java.util.Arrays.fill(t, ti);
            model.predict(x, t, out);
            double ab = schedule.alphaBar(ti);
            double abPrev = schedule.alphaBarOrOne(prev);
            double sigma = eta * Math.sqrt((1 - abPrev) / (1 - ab)) * Math.sqrt(1 - ab / abPrev);
            double dirCoef = Math.sqrt(Math.max(0.0, 1 - abPrev - sigma * sigma));
            if (z != null) {
                noise.fill(z);
            }
            step(model.prediction(), x, out, z, ab, abPrev, sigma, dirCoef, per * batch);
            listener.onStep(i + 1, timesteps.length, ti, x);
        }
    }

    private void step(Prediction prediction, float[] x, float[] out, float[] z, double ab, double abPrev,
            double sigma, double dirCoef, int n) {
        double sa = Math.sqrt(ab);
        double s1a = Math.sqrt(1 - ab);
        double sap = Math.sqrt(abPrev);
        for (int k = 0; k < n; k++) {
            double xt = x[k];
            double m = out[k];
            double x0;
            double eps;
            switch (prediction) {
                case EPSILON -> {
                    eps = m;
                    x0 = (xt - s1a * eps) / sa;
                }
                case SAMPLE -> {
                    x0 = m;
                    eps = (xt - sa * x0) / s1a;
                }
                default -> { // V
                    x0 = sa * xt - s1a * m;
                    eps = sa * m + s1a * xt;
                }
            }
            if (clipSample) {
                x0 = Math.max(-1.0, Math.min(1.0, x0));
                eps = (xt - sa * x0) / s1a;
            }
            double next = sap * x0 + dirCoef * eps;
            if (z != null) {
                next += sigma * z[k];
            }
            x[k] = (float) next;
        }
    }
}
