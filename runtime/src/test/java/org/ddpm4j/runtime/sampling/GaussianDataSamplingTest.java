package org.ddpm4j.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.ddpm4j.runtime.noise.BatchNoise;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.ddpm4j.runtime.schedule.ScheduleType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * With the optimal denoiser for N(mu, s^2) data ({@link GaussianDataDenoiser}), samplers must turn
 * N(0, I) into N(mu, s^2): the target is the data distribution itself, never a sampler's shrunk output.
 *
 * <p><b>Tolerance.</b> n = 16 x 48 x 48 = 36864 independent values: the sampling error of the mean is
 * s / sqrt(n) = 0.0026 and of the standard deviation s / sqrt(2n) = 0.0018; we allow four of each.
 *
 * <p><b>Convergence.</b> {@link #convergesToTheDataAsStepsGrow} runs each sampler at 10, 25, 100 and 400
 * steps (ddpm and ddim also at 1000): the error of the standard deviation must not grow with the steps
 * (beyond the sampling error) and must be within 1% at the most steps.
 *
 * <p><b>Few steps.</b> Deterministic solvers under-disperse at few steps: their last model call is at a
 * noisy level, and they return E[x_0 | x_{t_L}], whose spread is smaller than the data's.
 * {@link #fewStepShrinkIsTheMeasuredFigure} states the measured std / s of each row (linear schedule,
 * epsilon prediction; these seeds) and checks it to 0.005, so that a change in the solvers shows. Measured at
 * 20 steps: DDIM 0.86 (linspace) and 0.85 (Karras); DPM-Solver++(2M) 0.96 (trailing), 1.05 (Karras), 1.01
 * (uniform lambda); the SDE form 0.98 (trailing) and 1.11 (Karras, which over-disperses: its large early steps
 * in lambda inject noise the second-order correction does not fully balance). None of these is the
 * target; the convergence test is.
 */
class GaussianDataSamplingTest {

    private static final double MU = 0.3;
    private static final double S = 0.5;
    private static final int BATCH = 16;
    private static final int SIZE = 48;
    private static final int N = BATCH * SIZE * SIZE;
    private static final double MEAN_STAT = 4 * S / Math.sqrt(N);
    private static final double STD_STAT = 4 * S / Math.sqrt(2.0 * N);

    @ParameterizedTest(name = "{0} {1} steps, {2}, {3}, {4}")
    @CsvSource({
            "ddpm, 1000, epsilon, linear, linspace",
            "ddpm, 1000, v, cosine, linspace",
            "ddim, 1000, epsilon, linear, linspace",
            "ddim, 1000, sample, cosine, linspace",
            "dpmpp, 400, v, cosine, trailing",
            "dpmpp, 400, sample, scaled_linear, trailing",
            "dpmpp-sde, 400, epsilon, linear, karras",
    })
    void manyStepsReproduceTheData(String sampler, int steps, String prediction, String schedule, String spacing) {
        NoiseSchedule sched = schedule(schedule);
        TimestepSampler s = Samplers.create(sampler, sched, steps,
                SamplerOptions.DEFAULTS.withSpacing(TimestepSpacing.fromId(spacing)));
        double[] moments = run(s, sched, Prediction.fromId(prediction));
        assertEquals(MU, moments[0], MEAN_STAT + 0.01 * S, "mean");
        assertEquals(S, moments[1], STD_STAT + 0.01 * S, "std");
    }

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({
            "ddim, linspace",
            "ddim, karras",
            "dpmpp, trailing",
            "dpmpp, karras",
            "dpmpp, lu",
            "dpmpp-sde, trailing",
            "dpmpp-sde, karras",
            "ddpm, trailing",
    })
    void convergesToTheDataAsStepsGrow(String sampler, String spacing) {
        NoiseSchedule sched = NoiseSchedule.defaultLinear();
        int[] steps = sampler.startsWith("dd") ? new int[] {10, 25, 100, 400, 1000} : new int[] {10, 25, 100, 400};
        double previous = Double.POSITIVE_INFINITY;
        StringBuilder seen = new StringBuilder();
        double[] last = null;
        for (int n : steps) {
            TimestepSampler s = Samplers.create(sampler, sched, n,
                    SamplerOptions.DEFAULTS.withSpacing(TimestepSpacing.fromId(spacing)));
            last = run(s, sched, Prediction.EPSILON);
            double error = Math.abs(last[1] - S);
            seen.append(String.format(java.util.Locale.ROOT, " %d: %.4f", n, last[1]));
            assertTrue(error <= previous + 2 * STD_STAT, sampler + " " + spacing + " std error grew:" + seen);
            previous = Math.min(previous, error);
        }
        assertEquals(S, last[1], STD_STAT + 0.01 * S, sampler + " " + spacing + " std at the most steps:" + seen);
        assertEquals(MU, last[0], MEAN_STAT + 0.01 * S, "mean");
    }

    /** Measured std / s at few steps (linear 1e-4..0.02, T = 1000, epsilon); see the class comment. */
    @ParameterizedTest(name = "{0} {1} steps {2}: std / s = {3}")
    @CsvSource({
            "ddim, 20, linspace, 0.861",
            "ddim, 50, linspace, 0.944",
            "ddim, 20, karras, 0.854",
            "dpmpp, 10, trailing, 0.809",
            "dpmpp, 20, trailing, 0.956",
            "dpmpp, 20, linspace, 0.954",
            "dpmpp, 20, leading, 0.961",
            "dpmpp, 20, karras, 1.052",
            "dpmpp, 20, lu, 1.014",
            "dpmpp-sde, 20, trailing, 0.980",
            "dpmpp-sde, 20, karras, 1.110",
    })
    void fewStepShrinkIsTheMeasuredFigure(String sampler, int steps, String spacing, double measured) {
        NoiseSchedule sched = NoiseSchedule.defaultLinear();
        TimestepSampler s = Samplers.create(sampler, sched, steps,
                SamplerOptions.DEFAULTS.withSpacing(TimestepSpacing.fromId(spacing)));
        double[] moments = run(s, sched, Prediction.EPSILON);
        assertEquals(MU, moments[0], MEAN_STAT + 0.01 * S, "mean");
        assertEquals(measured, moments[1] / S, 0.005, "std / s");
    }

    @Test
    void stridedDdpmVariancesBracketTheTruth() {
        // Ho et al. 3.2: fixed_small is optimal for a deterministic x_0 and fixed_large for x_0 ~ N(0, I);
        // for N(mu, 0.5^2) data and 100 strided steps the truth lies between the two.
        NoiseSchedule sched = NoiseSchedule.defaultLinear();
        SamplerOptions o = SamplerOptions.DEFAULTS.withSpacing(TimestepSpacing.TRAILING);
        TimestepSampler small = Samplers.create("ddpm", sched, 100, o.withVariance(VarianceType.FIXED_SMALL));
        TimestepSampler large = Samplers.create("ddpm", sched, 100, o.withVariance(VarianceType.FIXED_LARGE));
        double[] lo = run(small, sched, Prediction.EPSILON);
        double[] hi = run(large, sched, Prediction.EPSILON);
        assertTrue(lo[1] < S - STD_STAT, "fixed_small std " + lo[1] + " below " + S);
        assertTrue(hi[1] > S + STD_STAT, "fixed_large std " + hi[1] + " above " + S);
        assertEquals(MU, lo[0], MEAN_STAT + 0.01);
        assertEquals(MU, hi[0], MEAN_STAT + 0.01);
    }

    @Test
    void seededRunsAreBitwiseReproducibleAndImageKDependsOnlyOnItsSeed() {
        NoiseSchedule sched = NoiseSchedule.defaultLinear();
        GaussianDataDenoiser model = new GaussianDataDenoiser(sched, MU, S, Prediction.EPSILON, 1, 8);
        for (String name : Samplers.NAMES) {
            Sampler s = Samplers.create(name, sched, 30, SamplerOptions.DEFAULTS.withEta(1.0));
            float[] a = run(s, model, 5, 6, 7);
            float[] b = run(s, model, 5, 6, 7);
            assertArrayEquals(a, b, name);
            float[] alone = run(s, model, 6);
            assertArrayEquals(alone, Arrays.copyOfRange(a, 64, 128), name + ": image 1 alone");
        }
    }

    private static NoiseSchedule schedule(String id) {
        ScheduleType type = ScheduleType.fromId(id);
        return type == ScheduleType.SCALED_LINEAR ? NoiseSchedule.scaledLinear(1000, 0.00085, 0.012)
                : NoiseSchedule.of(type, 1000, 1e-4, 0.02);
    }

    /** Mean and standard deviation of a run from seeds 100.. on N values. */
    private static double[] run(Sampler s, NoiseSchedule sched, Prediction prediction) {
        GaussianDataDenoiser model = new GaussianDataDenoiser(sched, MU, S, prediction, 1, SIZE);
        BatchNoise noise = BatchNoise.consecutive(100, BATCH);
        float[] x = new float[N];
        noise.fill(x);
        s.sample(model, x, noise, SamplingListener.NONE);
        double mean = 0;
        for (float v : x) {
            mean += v;
        }
        mean /= N;
        double var = 0;
        for (float v : x) {
            var += (v - mean) * (v - mean);
        }
        return new double[] {mean, Math.sqrt(var / N)};
    }

    private static float[] run(Sampler s, Denoiser model, long... seeds) {
        BatchNoise noise = new BatchNoise(seeds);
        float[] x = new float[seeds.length * 64];
        noise.fill(x);
        s.sample(model, x, noise, SamplingListener.NONE);
        return x;
    }
}
