package org.ddpm4j.runtime.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Golden values for the schedules: closed forms recomputed independently here, and the values
 * diffusers pins in its scheduler tests (DDPMScheduler {@code _get_variance(t)} and
 * DDIMScheduler {@code _get_variance(t, prev_t)}, linear 1e-4..0.02, T = 1000).
 */
class NoiseScheduleTest {

    private static final NoiseSchedule LINEAR = NoiseSchedule.defaultLinear();

    @Test
    void linearBetasAreEvenlySpacedEndpointsIncluded() {
        assertEquals(1000, LINEAR.timesteps());
        assertEquals(1e-4, LINEAR.beta(0), 1e-15);
        assertEquals(0.02, LINEAR.beta(999), 1e-15);
        assertEquals(1e-4 + (0.02 - 1e-4) * 500 / 999.0, LINEAR.beta(500), 1e-15);
    }

    @Test
    void alphaBarIsTheRunningProductAndDecreases() {
        double prod = 1.0;
        for (int t = 0; t < 1000; t++) {
            prod *= 1.0 - LINEAR.beta(t);
            assertEquals(prod, LINEAR.alphaBar(t), 1e-14);
            assertEquals(Math.sqrt(prod), LINEAR.sqrtAlphaBar(t), 1e-14);
            assertEquals(Math.sqrt(1 - prod), LINEAR.sqrtOneMinusAlphaBar(t), 1e-14);
            if (t > 0) {
                assertTrue(LINEAR.alphaBar(t) < LINEAR.alphaBar(t - 1), "alpha_bar must decrease at " + t);
                assertEquals(LINEAR.alphaBar(t - 1), LINEAR.alphaBarPrev(t), 0.0);
            }
        }
        assertEquals(1.0, LINEAR.alphaBarPrev(0), 0.0);
        assertEquals(1.0, LINEAR.alphaBarOrOne(-1), 0.0);
        // known value: alpha_bar_T of the paper's schedule is about 4.04e-5
        assertEquals(4.0358e-5, LINEAR.alphaBar(999), 1e-8);
    }

    @Test
    void diffusersDdpmVarianceGoldenValues() {
        // DDPMScheduler (variance_type fixed_small): _get_variance(0) = 0, (487) = 0.00979, (999) = 0.02
        assertEquals(0.0, LINEAR.posteriorVariance(0), 1e-12);
        assertEquals(0.00979, LINEAR.posteriorVariance(487), 1e-5);
        assertEquals(0.02, LINEAR.posteriorVariance(999), 1e-5);
    }

    @Test
    void diffusersDdimVarianceGoldenValues() {
        // DDIMScheduler._get_variance(t, prev): the variance of q(x_prev | x_t, x_0) for a strided step,
        // (1 - ab_prev) / (1 - ab_t) * (1 - ab_t / ab_prev)
        assertEquals(0.0, LINEAR.posteriorVariance(0, 0), 1e-12);
        assertEquals(0.14771, LINEAR.posteriorVariance(420, 400), 1e-5);
        assertEquals(0.32460, LINEAR.posteriorVariance(980, 960), 1e-5);
        assertEquals(0.00979, LINEAR.posteriorVariance(487, 486), 1e-5);
        assertEquals(0.02, LINEAR.posteriorVariance(999, 998), 1e-5);
    }

    @Test
    void stridedVarianceWithAdjacentStepsIsTheOneStepPosteriorVariance() {
        for (int t = 1; t < 1000; t += 37) {
            assertEquals(LINEAR.posteriorVariance(t), LINEAR.posteriorVariance(t, t - 1), 1e-12);
        }
        // the step to x_0 (prev = -1) has no variance
        assertEquals(0.0, LINEAR.posteriorVariance(0, -1), 1e-15);
    }

    @Test
    void posteriorMeanCoefficientsMatchEquationSeven() {
        for (int t : new int[] {1, 10, 500, 999}) {
            double b = LINEAR.beta(t);
            double ab = LINEAR.alphaBar(t);
            double abPrev = LINEAR.alphaBar(t - 1);
            assertEquals(b * Math.sqrt(abPrev) / (1 - ab), LINEAR.posteriorMeanCoef1(t), 1e-12);
            assertEquals((1 - abPrev) * Math.sqrt(1 - b) / (1 - ab), LINEAR.posteriorMeanCoef2(t), 1e-12);
            assertEquals(b * (1 - abPrev) / (1 - ab), LINEAR.posteriorVariance(t), 1e-12);
        }
        assertEquals(Math.log(LINEAR.posteriorVariance(1)), LINEAR.posteriorLogVarianceClipped(0), 1e-12);
    }

    @Test
    void scaledLinearSquaresEvenlySpacedRoots() {
        NoiseSchedule s = NoiseSchedule.scaledLinear(1000, 0.00085, 0.012);
        assertEquals(0.00085, s.beta(0), 1e-15);
        assertEquals(0.012, s.beta(999), 1e-15);
        double r = Math.sqrt(0.00085) + (Math.sqrt(0.012) - Math.sqrt(0.00085)) * 250 / 999.0;
        assertEquals(r * r, s.beta(250), 1e-15);
        assertEquals(ScheduleType.SCALED_LINEAR, s.type());
    }

    @Test
    void sigmoidIsSymmetricAroundTheMiddle() {
        NoiseSchedule s = NoiseSchedule.sigmoid(1001, 1e-4, 0.02);
        double lo = 1e-4 + (0.02 - 1e-4) / (1 + Math.exp(6));
        assertEquals(lo, s.beta(0), 1e-15);
        assertEquals(1e-4 + (0.02 - 1e-4) / (1 + Math.exp(-6)), s.beta(1000), 1e-15);
        assertEquals((1e-4 + 0.02) / 2, s.beta(500), 1e-15); // sigmoid(0) = 1/2
        for (int t = 1; t <= 1000; t++) {
            assertTrue(s.beta(t) > s.beta(t - 1));
        }
    }

    @Test
    void cosineFollowsTheSquaredCosineAlphaBarAndCapsBetas() {
        NoiseSchedule s = NoiseSchedule.cosine(1000);
        double f0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
        for (int t : new int[] {0, 100, 500, 900, 990}) {
            double ft = Math.pow(Math.cos(((t + 1) / 1000.0 + 0.008) / 1.008 * Math.PI / 2), 2);
            assertEquals(ft / f0, s.alphaBar(t), 1e-9, "alpha_bar at " + t);
        }
        for (int t = 0; t < 1000; t++) {
            assertTrue(s.beta(t) <= NoiseSchedule.COSINE_MAX_BETA, "beta " + t + " = " + s.beta(t));
            assertTrue(s.beta(t) > 0);
        }
        assertEquals(0.999, s.beta(999), 0.0); // the last beta is the cap
        assertTrue(Double.isNaN(s.betaStart()));
    }

    @Test
    void everyScheduleHasDecreasingAlphaBarInTheUnitInterval() {
        for (ScheduleType type : ScheduleType.values()) {
            NoiseSchedule s = NoiseSchedule.of(type, 200, 1e-4, 0.02);
            assertEquals(type, s.type());
            for (int t = 0; t < 200; t++) {
                assertTrue(s.alphaBar(t) > 0 && s.alphaBar(t) < 1, type + " at " + t);
                if (t > 0) {
                    assertTrue(s.alphaBar(t) < s.alphaBar(t - 1), type + " at " + t);
                }
            }
        }
    }

    @Test
    void badParametersAreRefusedWithTheValueFound() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NoiseSchedule.linear(1000, 0.02, 1e-4));
        assertTrue(e.getMessage().contains("0.02..1.0E-4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.linear(0, 1e-4, 0.02));
        assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.cosine(0));
        IllegalArgumentException u = assertThrows(IllegalArgumentException.class, () -> ScheduleType.fromId("quadratic"));
        assertTrue(u.getMessage().contains("quadratic") && u.getMessage().contains("scaled_linear"), u.getMessage());
        assertEquals(ScheduleType.SCALED_LINEAR, ScheduleType.fromId("Scaled-Linear"));
    }
}
