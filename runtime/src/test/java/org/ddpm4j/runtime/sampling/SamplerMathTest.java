package org.ddpm4j.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.ddpm4j.runtime.noise.BatchNoise;
import org.ddpm4j.runtime.noise.GaussianNoise;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;

/** Each sampler's step against its closed form, and the identities between samplers. */
class SamplerMathTest {

    private static final NoiseSchedule LINEAR = NoiseSchedule.defaultLinear();

    private static float[] gaussian(long seed, int n) {
        float[] v = new float[n];
        new GaussianNoise(seed).fill(v);
        return v;
    }

    @Test
    void ddpmFullStepIsAlgorithmTwo() {
        DdpmSampler ddpm = new DdpmSampler(LINEAR, false);
        assertEquals(1000, ddpm.steps());
        for (int i : new int[] {0, 1, 500, 998}) {
            int t = 999 - i;
            float[] x = gaussian(1, 64);
            float[] eps = gaussian(2, 64);
            float[] z = gaussian(3, 64);
            float[] expected = new float[64];
            double sigma = Math.sqrt(LINEAR.posteriorVariance(t));
            for (int k = 0; k < 64; k++) {
                expected[k] = (float) (1 / Math.sqrt(LINEAR.alpha(t))
                        * (x[k] - LINEAR.beta(t) / LINEAR.sqrtOneMinusAlphaBar(t) * eps[k]) + sigma * z[k]);
            }
            ddpm.step(i, Prediction.EPSILON, x, eps, z, null);
            assertArrayEquals(expected, x, 2e-5f, "step " + i);
            assertEquals(sigma, ddpm.noiseScale(i), 1e-12);
        }
        assertEquals(0.0, ddpm.noiseScale(999), 0.0); // no noise at the last step
    }

    @Test
    void ddpmFixedLargeUsesBeta() {
        DdpmSampler large = new DdpmSampler(LINEAR, 1000, TimestepSpacing.LINSPACE, VarianceType.FIXED_LARGE, false);
        assertEquals(Math.sqrt(LINEAR.beta(500)), large.noiseScale(499), 1e-12);
        DdpmSampler strided = new DdpmSampler(LINEAR, 50, TimestepSpacing.LEADING, VarianceType.FIXED_LARGE, false);
        int t = strided.timesteps()[3];
        int prev = strided.timesteps()[4];
        assertEquals(1 - LINEAR.alphaBar(t) / LINEAR.alphaBar(prev), strided.variance(3), 1e-15);
    }

    @Test
    void stridedDdpmUsesTheStridedPosterior() {
        DdpmSampler ddpm = new DdpmSampler(LINEAR, 50, TimestepSpacing.LEADING, VarianceType.FIXED_SMALL, false);
        int[] ts = ddpm.timesteps();
        assertEquals(980, ts[0]);
        assertEquals(960, ts[1]);
        // diffusers' DDIM _get_variance(980, 960) = 0.32460 is this step's sigma^2
        assertEquals(0.32460, ddpm.variance(0), 1e-5);
        // the posterior mean reproduces x_prev exactly when x_0 is known (q(x_prev | x_t, x_0) is consistent):
        // E[x_prev | x_0] = sqrt(ab_prev) x_0, and the coefficients map sqrt(ab_t) x_0 there
        double lhs = ddpm.meanCoefX0(0) + ddpm.meanCoefXt(0) * LINEAR.sqrtAlphaBar(980);
        assertEquals(LINEAR.sqrtAlphaBar(960), lhs, 1e-12);
        // and the variances add up: ct^2 (1 - ab_t) + sigma^2 = 1 - ab_prev
        double ct = ddpm.meanCoefXt(0);
        assertEquals(1 - LINEAR.alphaBar(960), ct * ct * (1 - LINEAR.alphaBar(980)) + ddpm.variance(0), 1e-12);
    }

    @Test
    void ddimEtaZeroStepIsEquationTwelve() {
        DdimSampler ddim = new DdimSampler(LINEAR, 10, 0.0, false);
        int[] ts = ddim.timesteps();
        float[] x = gaussian(4, 32);
        float[] eps = gaussian(5, 32);
        float[] expected = new float[32];
        double ab = LINEAR.alphaBar(ts[2]);
        double abPrev = LINEAR.alphaBar(ts[3]);
        for (int k = 0; k < 32; k++) {
            double x0 = (x[k] - Math.sqrt(1 - ab) * eps[k]) / Math.sqrt(ab);
            expected[k] = (float) (Math.sqrt(abPrev) * x0 + Math.sqrt(1 - abPrev) * eps[k]);
        }
        ddim.step(2, Prediction.EPSILON, x, eps, null, null);
        assertArrayEquals(expected, x, 1e-5f);
        assertEquals(0.0, ddim.noiseScale(2), 0.0);
    }

    @Test
    void ddimEtaOneOverAllStepsIsDdpmAncestralStepForStep() {
        DdpmSampler ddpm = new DdpmSampler(LINEAR, false);
        DdimSampler ddim = new DdimSampler(LINEAR, 1000, 1.0, false);
        for (int i = 0; i < 1000; i++) {
            assertEquals(ddpm.noiseScale(i), ddim.noiseScale(i), 1e-12, "sigma at step " + i);
        }
        GaussianDataDenoiser model = new GaussianDataDenoiser(LINEAR, 0.2, 0.4, Prediction.EPSILON, 1, 4);
        float[] a = gaussian(9, 2 * 16);
        float[] b = a.clone();
        List<float[]> ddpmSteps = new ArrayList<>();
        List<float[]> ddimSteps = new ArrayList<>();
        ddpm.sample(model, a, new BatchNoise(1, 2), (step, total, t, x) -> ddpmSteps.add(x.clone()));
        ddim.sample(model, b, new BatchNoise(1, 2), (step, total, t, x) -> ddimSteps.add(x.clone()));
        assertEquals(1000, ddpmSteps.size());
        for (int i = 0; i < 1000; i++) {
            assertArrayEquals(ddpmSteps.get(i), ddimSteps.get(i), 1e-4f, "x after step " + i);
        }
    }

    @Test
    void ddimEtaOutsideZeroToOneIsRefusedNamingTheValue() {
        for (double eta : new double[] {-0.1, 1.0000001, 2, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException sampler = assertThrows(IllegalArgumentException.class,
                    () -> new DdimSampler(LINEAR, 10, eta, false));
            assertTrue(sampler.getMessage().contains("between 0") && sampler.getMessage().endsWith("found " + eta),
                    sampler.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> new SamplerOptions(eta, VarianceType.FIXED_SMALL, TimestepSpacing.LINSPACE, false));
        }
    }

    @Test
    void ddimAndDdpmAgreeWithClippingWhenEpsilonFollowsTheClippedX0() {
        DdpmSampler ddpm = new DdpmSampler(LINEAR, true);
        DdimSampler ddim = new DdimSampler(LINEAR, TimestepSpacing.LINSPACE.levels(LINEAR, 1000), 1.0, true, true);
        float[] x = gaussian(11, 64);
        float[] y = x.clone();
        float[] eps = gaussian(12, 64); // large noise predictions: x_0 goes outside [-1, 1] and is clipped
        float[] z = gaussian(13, 64);
        ddpm.step(900, Prediction.EPSILON, x, eps, z, null);
        ddim.step(900, Prediction.EPSILON, y, eps, z, null);
        assertArrayEquals(x, y, 1e-5f);
    }

    @Test
    void ddimByDefaultKeepsTheModelsEpsilonNextToTheClippedX0() {
        // diffusers' DDIMScheduler with clip_sample and use_clipped_model_output=False
        DdimSampler ddim = new DdimSampler(LINEAR, 10, 0.0, TimestepSpacing.LINSPACE, true);
        float[] x = gaussian(31, 64);
        float[] eps = gaussian(32, 64);
        float[] expected = new float[64];
        int t = ddim.timesteps()[3];
        int prev = ddim.timesteps()[4];
        double a = Math.sqrt(LINEAR.alphaBar(t));
        double s = Math.sqrt(1 - LINEAR.alphaBar(t));
        int clipped = 0;
        for (int k = 0; k < 64; k++) {
            double x0 = (x[k] - s * eps[k]) / a;
            clipped += Math.abs(x0) > 1 ? 1 : 0;
            x0 = Math.max(-1, Math.min(1, x0));
            expected[k] = (float) (Math.sqrt(LINEAR.alphaBar(prev)) * x0 + Math.sqrt(1 - LINEAR.alphaBar(prev)) * eps[k]);
        }
        assertTrue(clipped > 10, "the test needs clipped x0, found " + clipped);
        ddim.step(3, Prediction.EPSILON, x, eps, null, null);
        assertArrayEquals(expected, x, 1e-5f);
    }

    @Test
    void dpmSolverSdeStepsFollowTheSdeUpdate() {
        DpmSolverSampler sde = new DpmSolverSampler(LINEAR, 10, TimestepSpacing.TRAILING, false, true);
        assertTrue(sde.isSde());
        float[] x = gaussian(40, 48);
        float[] eps0 = gaussian(41, 48);
        float[] eps1 = gaussian(42, 48);
        float[] z0 = gaussian(43, 48);
        float[] z1 = gaussian(44, 48);
        float[] history = new float[48];
        int[] ts = sde.timesteps();
        double[] x0First = new double[48];
        float[] expected = new float[48];
        // step 0: first order
        double h = sde.h(0);
        double a0 = Math.sqrt(LINEAR.alphaBar(ts[0]));
        double s0 = Math.sqrt(1 - LINEAR.alphaBar(ts[0]));
        double a1 = Math.sqrt(LINEAR.alphaBar(ts[1]));
        double s1 = Math.sqrt(1 - LINEAR.alphaBar(ts[1]));
        for (int k = 0; k < 48; k++) {
            x0First[k] = (float) ((x[k] - s0 * eps0[k]) / a0);
            expected[k] = (float) (s1 / s0 * Math.exp(-h) * x[k] + a1 * (1 - Math.exp(-2 * h)) * x0First[k]
                    + s1 * Math.sqrt(1 - Math.exp(-2 * h)) * z0[k]);
        }
        assertEquals(s1 * Math.sqrt(1 - Math.exp(-2 * h)), sde.noiseScale(0), 1e-12);
        sde.step(0, Prediction.EPSILON, x, eps0, z0, history);
        assertArrayEquals(expected, x, 1e-5f);
        // step 1: second order (midpoint), D = x0 + 0.5 (x0 - x0_prev) / r
        double h1 = sde.h(1);
        double r = h / h1;
        double a2 = Math.sqrt(LINEAR.alphaBar(ts[2]));
        double s2 = Math.sqrt(1 - LINEAR.alphaBar(ts[2]));
        for (int k = 0; k < 48; k++) {
            double x0 = (x[k] - s1 * eps1[k]) / a1;
            double d = x0 + 0.5 / r * (x0 - (float) x0First[k]);
            expected[k] = (float) (s2 / s1 * Math.exp(-h1) * x[k] + a2 * (1 - Math.exp(-2 * h1)) * d
                    + s2 * Math.sqrt(1 - Math.exp(-2 * h1)) * z1[k]);
        }
        sde.step(1, Prediction.EPSILON, x, eps1, z1, history);
        assertArrayEquals(expected, x, 1e-4f);
        // the last step lands on x_0 and draws no noise
        assertEquals(0.0, sde.noiseScale(9));
        float[] y = gaussian(45, 48);
        float[] eps = gaussian(46, 48);
        double a9 = Math.sqrt(LINEAR.alphaBar(ts[9]));
        double s9 = Math.sqrt(1 - LINEAR.alphaBar(ts[9]));
        float[] x0Last = new float[48];
        for (int k = 0; k < 48; k++) {
            x0Last[k] = (float) ((y[k] - s9 * eps[k]) / a9);
        }
        sde.step(9, Prediction.EPSILON, y, eps, null, new float[48]);
        assertArrayEquals(x0Last, y, 1e-5f);
    }

    @Test
    void dpmSolverFirstStepIsDdimAndSecondStepIsTwoM() {
        DpmSolverSampler dpm = new DpmSolverSampler(LINEAR, 10, TimestepSpacing.TRAILING, false);
        DdimSampler ddim = new DdimSampler(LINEAR, 10, 0.0, TimestepSpacing.TRAILING, false);
        float[] x = gaussian(20, 48);
        float[] y = x.clone();
        float[] eps = gaussian(21, 48);
        float[] history = new float[48];
        dpm.step(0, Prediction.EPSILON, x, eps, null, history);
        ddim.step(0, Prediction.EPSILON, y, eps, null, null);
        assertArrayEquals(y, x, 1e-5f, "DPM-Solver++ first order = DDIM");

        int[] ts = dpm.timesteps();
        float[] x0Prev = history.clone();
        float[] eps2 = gaussian(22, 48);
        float[] expected = new float[48];
        double lam0 = lambda(ts[0]);
        double lam1 = lambda(ts[1]);
        double lam2 = lambda(ts[2]);
        double h = lam2 - lam1;
        double r = (lam1 - lam0) / h;
        for (int k = 0; k < 48; k++) {
            double x0 = (x[k] - LINEAR.sqrtOneMinusAlphaBar(ts[1]) * eps2[k]) / LINEAR.sqrtAlphaBar(ts[1]);
            double d = (1 + 1 / (2 * r)) * x0 - 1 / (2 * r) * x0Prev[k];
            expected[k] = (float) (LINEAR.sqrtOneMinusAlphaBar(ts[2]) / LINEAR.sqrtOneMinusAlphaBar(ts[1]) * x[k]
                    - LINEAR.sqrtAlphaBar(ts[2]) * (Math.exp(-h) - 1) * d);
        }
        dpm.step(1, Prediction.EPSILON, x, eps2, null, history);
        assertArrayEquals(expected, x, 1e-5f);
        assertEquals(0.0, dpm.historyWeight(9), 0.0); // last step is first order
    }

    @Test
    void dpmSolverLastStepReturnsThePredictedCleanImage() {
        DpmSolverSampler dpm = new DpmSolverSampler(LINEAR, 5, TimestepSpacing.TRAILING, false);
        float[] x = gaussian(30, 16);
        float[] m = gaussian(31, 16);
        float[] expected = new float[16];
        int t = dpm.timesteps()[4];
        for (int k = 0; k < 16; k++) {
            expected[k] = (float) Predictions.x0(Prediction.EPSILON, x[k], m[k], LINEAR.sqrtAlphaBar(t),
                    LINEAR.sqrtOneMinusAlphaBar(t));
        }
        dpm.step(4, Prediction.EPSILON, x, m, null, new float[16]);
        assertArrayEquals(expected, x, 1e-6f);
    }

    @Test
    void predictionConversionsAreConsistent() {
        double a = 0.6;
        double s = 0.8;
        double x0 = 0.3;
        double eps = -1.1;
        double xt = a * x0 + s * eps;
        double v = a * eps - s * x0;
        assertEquals(x0, Predictions.x0(Prediction.EPSILON, xt, eps, a, s), 1e-12);
        assertEquals(x0, Predictions.x0(Prediction.SAMPLE, xt, x0, a, s), 1e-12);
        assertEquals(x0, Predictions.x0(Prediction.V, xt, v, a, s), 1e-12);
        assertEquals(eps, Predictions.epsilon(Prediction.SAMPLE, xt, x0, a, s), 1e-12);
        assertEquals(eps, Predictions.epsilon(Prediction.V, xt, v, a, s), 1e-12);
        assertEquals(eps, Predictions.epsilonFromX0(xt, x0, a, s), 1e-12);
        assertEquals(1.0, Predictions.clip(1.7), 0.0);
    }

    @Test
    void factoryNamesAndErrors() {
        SamplerOptions o = SamplerOptions.DEFAULTS;
        assertTrue(Samplers.create("ddpm", LINEAR, 0, o) instanceof DdpmSampler);
        assertEquals(1000, Samplers.create("DDPM", LINEAR, 0, o).steps());
        assertTrue(Samplers.create("ddim", LINEAR, 20, o) instanceof DdimSampler);
        assertTrue(Samplers.create("dpm++", LINEAR, 20, o) instanceof DpmSolverSampler);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> Samplers.create("euler", LINEAR, 20, o));
        assertEquals("Unknown sampler 'euler', expected one of ddpm, ddim, dpmpp, dpmpp-sde", unknown.getMessage());
        IllegalArgumentException steps = assertThrows(IllegalArgumentException.class,
                () -> Samplers.create("dpmpp", LINEAR, 0, o));
        assertTrue(steps.getMessage().contains("1..1000") && steps.getMessage().contains("found 0"), steps.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Samplers.create("ddim", LINEAR, 1001, o));
        assertThrows(IllegalArgumentException.class, () -> o.withEta(-1));
    }

    @Test
    void cancellationStopsTheRun() {
        GaussianDataDenoiser model = new GaussianDataDenoiser(LINEAR, 0, 1, Prediction.EPSILON, 1, 2);
        int[] seen = {0};
        SamplingListener cancelAfterThree = new SamplingListener() {
            @Override
            public void onStep(int step, int total, int t, float[] x) {
                seen[0] = step;
            }

            @Override
            public boolean isCancelled() {
                return seen[0] >= 3;
            }
        };
        CancellationException e = assertThrows(CancellationException.class, () -> new DdimSampler(LINEAR, 10, 0, false)
                .sample(model, new float[4], new BatchNoise(1), cancelAfterThree));
        assertTrue(e.getMessage().contains("step 3 of 10"), e.getMessage());
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> new DdimSampler(LINEAR, 10, 0, false).sample(model, new float[5], new BatchNoise(1),
                        SamplingListener.NONE));
        assertTrue(wrong.getMessage().contains("expected batch 1"), wrong.getMessage());
    }

    private static double lambda(int t) {
        return Math.log(LINEAR.sqrtAlphaBar(t) / LINEAR.sqrtOneMinusAlphaBar(t));
    }
}
