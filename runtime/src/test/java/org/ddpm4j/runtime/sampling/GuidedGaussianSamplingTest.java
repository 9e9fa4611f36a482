package org.ddpm4j.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.ddpm4j.runtime.noise.BatchNoise;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Classifier-free guidance on class-wise Gaussian data: class c has pixels N(mu_c, s^2) and the null
 * label N(mu_null, s^2). The exact epsilon (and x_0, v) of Gaussian data is affine in the mean, so
 * the guided prediction out(null) + w (out(c) - out(null)) is exactly the prediction for data with
 * mean mu_null + w (mu_c - mu_null); every sampler must then produce that mean.
 *
 * <p>Tolerance as in {@link GaussianDataSamplingTest}: four standard errors of the mean of n values,
 * plus each sampler's relative discretisation budget times s.
 */
class GuidedGaussianSamplingTest {

    private static final double[] MU = {-0.4, 0.5};
    private static final double MU_NULL = 0.1;
    private static final double S = 0.5;
    private static final int BATCH = 8;
    private static final int SIZE = 24;
    private static final int N = BATCH * SIZE * SIZE;
    private static final double MEAN_STAT = 4 * S / Math.sqrt(N);

    /** Class-conditional exact denoiser: label l &lt; K is class l, label K the null label. */
    static final class ClassGaussian implements Denoiser {
        final List<GaussianDataDenoiser> perLabel = new ArrayList<>();
        final List<Integer> batchSizes = new ArrayList<>();

        ClassGaussian(NoiseSchedule schedule, Prediction prediction) {
            for (double mu : MU) {
                perLabel.add(new GaussianDataDenoiser(schedule, mu, S, prediction, 1, SIZE));
            }
            perLabel.add(new GaussianDataDenoiser(schedule, MU_NULL, S, prediction, 1, SIZE));
        }

        @Override
        public int channels() {
            return 1;
        }

        @Override
        public int height() {
            return SIZE;
        }

        @Override
        public int width() {
            return SIZE;
        }

        @Override
        public Prediction prediction() {
            return perLabel.get(0).prediction();
        }

        @Override
        public int classCount() {
            return MU.length;
        }

        @Override
        public void predict(float[] sample, long[] timesteps, float[] out) {
            long[] nulls = new long[timesteps.length];
            java.util.Arrays.fill(nulls, MU.length);
            predict(sample, timesteps, nulls, out);
        }

        @Override
        public void predict(float[] sample, long[] timesteps, long[] labels, float[] out) {
            batchSizes.add(timesteps.length);
            int per = SIZE * SIZE;
            float[] one = new float[per];
            for (int b = 0; b < timesteps.length; b++) {
                System.arraycopy(sample, b * per, one, 0, per);
                float[] o = new float[per];
                perLabel.get((int) labels[b]).predict(one, new long[] {timesteps[b]}, o);
                System.arraycopy(o, 0, out, b * per, per);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} steps, {2}, w={4}, class {3}: budget {5}")
    @CsvSource({
            "ddpm, 1000, epsilon, 1, 3.0, 0.01",
            "ddpm, 100, v, 0, 2.0, 0.03",
            "ddim, 50, epsilon, 1, 3.0, 0.10",
            "ddim, 50, sample, 0, 0.0, 0.10",
            "ddim, 20, v, 1, 1.0, 0.10",
            "dpmpp, 20, epsilon, 1, 3.0, 0.03",
            "dpmpp, 20, epsilon, 0, 5.0, 0.03",
            "dpmpp, 15, sample, 1, 0.5, 0.03",
            "dpmpp, 10, v, 0, 2.5, 0.03",
    })
    void guidedMeanIsNullPlusWTimesTheClassOffset(String sampler, int steps, String prediction, int label,
            double w, double budget) {
        NoiseSchedule sched = NoiseSchedule.defaultLinear();
        TimestepSampler s = Samplers.create(sampler, sched, steps, SamplerOptions.DEFAULTS.withClipSample(false));
        ClassGaussian model = new ClassGaussian(sched, Prediction.fromId(prediction));
        long[] labels = new long[BATCH];
        java.util.Arrays.fill(labels, label);
        BatchNoise noise = BatchNoise.consecutive(300, BATCH);
        float[] x = new float[N];
        noise.fill(x);
        s.sample(new GuidedDenoiser(model, labels, w), x, noise, SamplingListener.NONE);
        double mean = 0;
        for (float v : x) {
            mean += v;
        }
        mean /= N;
        double expected = MU_NULL + w * (MU[label] - MU_NULL);
        assertEquals(expected, mean, MEAN_STAT + budget * S, "mean of the guided samples");
        int expectedBatch = (w == 1.0 || w == 0.0) ? BATCH : 2 * BATCH;
        for (int b : model.batchSizes) {
            assertEquals(expectedBatch, b, "one model call per step, of B (w = 0 or 1) or 2B images");
        }
        assertEquals(s.steps(), model.batchSizes.size(), "one model call per step");
    }

    @Test
    void guidanceMixesConditionalAndNullOutputs() {
        float[] both = {1f, 2f, 10f, 20f};
        float[] out = new float[2];
        GuidedDenoiser.guide(both, 2, 3.0, out);
        assertArrayEquals(new float[] {10f + 3f * (1f - 10f), 20f + 3f * (2f - 20f)}, out);
    }

    @Test
    void refusesUnconditionalModelsAndLabelsOutOfRange() {
        NoiseSchedule sched = NoiseSchedule.defaultLinear();
        Denoiser plain = new GaussianDataDenoiser(sched, 0, 1, Prediction.EPSILON, 1, 4);
        assertThrows(IllegalArgumentException.class, () -> new GuidedDenoiser(plain, new long[] {0}, 2));
        ClassGaussian model = new ClassGaussian(sched, Prediction.EPSILON);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GuidedDenoiser(model, new long[] {3}, 2));
        assertEquals("class label 3 is out of range: expected 0..1 (or 2, the null label)", e.getMessage());
    }
}
