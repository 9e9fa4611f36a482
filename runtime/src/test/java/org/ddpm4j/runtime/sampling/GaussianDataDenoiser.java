package org.ddpm4j.runtime.sampling;

import org.ddpm4j.runtime.schedule.NoiseSchedule;

/**
 * The optimal denoiser for data whose pixels are independent N(mu, s^2): with
 * x_t = a x_0 + sigma eps (a = sqrt(ab_t), sigma = sqrt(1 - ab_t)), x_t is Gaussian and
 * <pre>
 *   E[eps | x_t] = sigma (x_t - a mu) / (a^2 s^2 + sigma^2)
 *   E[x_0 | x_t] = mu + a s^2 (x_t - a mu) / (a^2 s^2 + sigma^2)
 *   E[v | x_t]   = a E[eps | x_t] - sigma E[x_0 | x_t]
 * </pre>
 * so an exact sampler turns N(0, I) into N(mu, s^2).
 */
final class GaussianDataDenoiser implements Denoiser {

    private final NoiseSchedule schedule;
    private final double mu;
    private final double s;
    private final Prediction prediction;
    private final int channels;
    private final int size;

    GaussianDataDenoiser(NoiseSchedule schedule, double mu, double s, Prediction prediction, int channels, int size) {
        this.schedule = schedule;
        this.mu = mu;
        this.s = s;
        this.prediction = prediction;
        this.channels = channels;
        this.size = size;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int height() {
        return size;
    }

    @Override
    public int width() {
        return size;
    }

    @Override
    public Prediction prediction() {
        return prediction;
    }

    @Override
    public void predict(float[] sample, long[] timesteps, float[] out) {
        int per = sample.length / timesteps.length;
        for (int b = 0; b < timesteps.length; b++) {
            int t = (int) timesteps[b];
            double a = schedule.sqrtAlphaBar(t);
            double sig = schedule.sqrtOneMinusAlphaBar(t);
            double var = a * a * s * s + sig * sig;
            for (int k = b * per; k < (b + 1) * per; k++) {
                double r = sample[k] - a * mu;
                double eps = sig * r / var;
                double x0 = mu + a * s * s * r / var;
                out[k] = (float) switch (prediction) {
                    case EPSILON -> eps;
                    case SAMPLE -> x0;
                    case V -> a * eps - sig * x0;
                };
            }
        }
    }
}
