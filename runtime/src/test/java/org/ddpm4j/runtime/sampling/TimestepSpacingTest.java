package org.ddpm4j.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;

/**
 * Spacings against diffusers. The golden arrays were computed with numpy 2.4 from the expressions of
 * diffusers' {@code DDIMScheduler.set_timesteps} and {@code DPMSolverMultistepScheduler.set_timesteps}
 * ({@code linspace(...).round()}, {@code _convert_to_karras}, {@code _convert_to_lu}, {@code _sigma_to_t}) for the
 * linear 1e-4..0.02, T = 1000 schedule.
 */
class TimestepSpacingTest {

    private static final NoiseSchedule LINEAR = NoiseSchedule.defaultLinear();

    @Test
    void diffusersSpacingsForTwentySteps() {
        int[] leading = TimestepSpacing.LEADING.timesteps(1000, 20);
        int[] trailing = TimestepSpacing.TRAILING.timesteps(1000, 20);
        int[] linspace = TimestepSpacing.LINSPACE.timesteps(1000, 20);
        assertEquals(950, leading[0]);
        assertEquals(900, leading[1]);
        assertEquals(0, leading[19]);
        assertEquals(999, trailing[0]);
        assertEquals(949, trailing[1]);
        assertEquals(49, trailing[19]);
        assertEquals(999, linspace[0]);
        assertEquals(946, linspace[1]);
        assertEquals(0, linspace[19]);
    }

    @Test
    void linspaceRoundsHalfToEvenAsNumpyDoes() {
        // numpy: linspace(0, 999, 7).round()[::-1]; 832.5 rounds to 832 (half-up rounding gave 833)
        assertArrayEquals(new int[] {999, 832, 666, 500, 333, 166, 0}, TimestepSpacing.LINSPACE.timesteps(1000, 7));
        // 218 of the 999 step counts 2..1000 differ from half-up rounding of (T-1)(1 - i/(n-1)), the old formula
        int differ = 0;
        for (int n = 2; n <= 1000; n++) {
            int[] ts = TimestepSpacing.LINSPACE.timesteps(1000, n);
            for (int i = 0; i < n; i++) {
                if (ts[i] != Math.round(999 * (1.0 - (double) i / (n - 1)))) {
                    differ++;
                    break;
                }
            }
        }
        assertEquals(218, differ);
    }

    @Test
    void multistepLinspaceAndLeadingDropTimestepZero() {
        assertArrayEquals(new int[] {999, 949, 899, 849, 799, 749, 699, 649, 599, 549, 500, 450, 400, 350, 300, 250, 200,
                150, 100, 50}, TimestepSpacing.LINSPACE.levels(LINEAR, 20, true).timesteps());
        assertArrayEquals(new int[] {940, 893, 846, 799, 752, 705, 658, 611, 564, 517, 470, 423, 376, 329, 282, 235, 188,
                141, 94, 47}, TimestepSpacing.LEADING.levels(LINEAR, 20, true).timesteps());
        assertArrayEquals(TimestepSpacing.TRAILING.timesteps(1000, 20),
                TimestepSpacing.TRAILING.levels(LINEAR, 20, true).timesteps());
        DpmSolverSampler dpm = (DpmSolverSampler) Samplers.create("dpmpp", LINEAR, 20,
                SamplerOptions.DEFAULTS.withSpacing(TimestepSpacing.LINSPACE));
        assertEquals(50, dpm.timesteps()[19]);
        DdimSampler ddim = (DdimSampler) Samplers.create("ddim", LINEAR, 20,
                SamplerOptions.DEFAULTS.withSpacing(TimestepSpacing.LINSPACE));
        assertEquals(0, ddim.timesteps()[19]);
    }

    @Test
    void karrasSigmasAndTheirTimesteps() {
        NoiseLevels l = TimestepSpacing.KARRAS.levels(LINEAR, 10);
        assertArrayEquals(new int[] {999, 937, 864, 775, 663, 511, 301, 102, 18, 0}, l.timesteps());
        double[] sigmas = {157.40728081040749, 85.71052238784978, 44.04740487579081, 21.105410301025287,
            9.274611951115675, 3.6525679190903184, 1.2463257094660058, 0.34969256737211857, 0.07392619255462649,
            0.010000500037502566};
        for (int i = 0; i < sigmas.length; i++) {
            assertEquals(sigmas[i], l.sigma(i), 1e-9 * sigmas[i], "sigma " + i);
        }
        assertArrayEquals(new int[] {999, 971, 940, 908, 872, 833, 790, 743, 689, 627, 556, 472, 373, 265, 164, 88, 41, 16,
                4, 0}, TimestepSpacing.KARRAS.levels(LINEAR, 20).timesteps());
    }

    @Test
    void uniformLambdaSigmasAndTheirTimesteps() {
        NoiseLevels l = TimestepSpacing.LU_LAMBDAS.levels(LINEAR, 10);
        assertArrayEquals(new int[] {999, 886, 757, 603, 410, 202, 73, 22, 5, 0}, l.timesteps());
        double[] sigmas = {157.40728081040763, 53.78871122586465, 18.38050591080511, 6.280927537350765,
            2.1462984164249894, 0.7334262121246238, 0.25062405326071, 0.08564244778062853, 0.029265462617939036,
            0.010000500037502566};
        for (int i = 0; i < sigmas.length; i++) {
            assertEquals(sigmas[i], l.sigma(i), 1e-9 * sigmas[i], "sigma " + i);
        }
        // uniform in lambda = -log sigma
        double h = Math.log(l.sigma(0)) - Math.log(l.sigma(1));
        for (int i = 1; i < 9; i++) {
            assertEquals(h, Math.log(l.sigma(i)) - Math.log(l.sigma(i + 1)), 1e-9);
        }
    }

    @Test
    void everySpacingIsStrictlyDecreasingAndInRange() {
        for (TimestepSpacing sp : TimestepSpacing.values()) {
            for (int steps : new int[] {1, 2, 7, 10, 25, 333}) {
                NoiseLevels l = sp.levels(LINEAR, steps);
                int[] ts = l.timesteps();
                assertEquals(steps, ts.length);
                for (int i = 0; i < steps; i++) {
                    assertTrue(ts[i] >= 0 && ts[i] < 1000, sp + " " + steps + ": " + ts[i]);
                    if (i > 0) {
                        assertTrue(l.alphaBars()[i] > l.alphaBars()[i - 1], sp + " " + steps + " not less noisy at " + i);
                        if (!sp.isSigmaSpacing()) {
                            assertTrue(ts[i] < ts[i - 1], sp + " " + steps + " not decreasing at " + i);
                        }
                    }
                }
            }
            if (!sp.isSigmaSpacing()) {
                int[] all = sp.timesteps(50, 50);
                for (int i = 0; i < 50; i++) {
                    assertEquals(49 - i, all[i], sp + " with all steps");
                }
            }
        }
    }

    @Test
    void badStepCountsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TimestepSpacing.TRAILING.timesteps(1000, 1001));
        assertTrue(e.getMessage().contains("1..1000") && e.getMessage().contains("1001"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TimestepSpacing.LEADING.timesteps(1000, 0));
        assertThrows(IllegalArgumentException.class, () -> TimestepSpacing.KARRAS.levels(LINEAR, 0));
        assertArrayEquals(new int[] {999}, TimestepSpacing.LINSPACE.timesteps(1000, 1));
        assertEquals(TimestepSpacing.TRAILING, TimestepSpacing.fromId("Trailing"));
        assertEquals(TimestepSpacing.KARRAS, TimestepSpacing.fromId("karras"));
        assertEquals(TimestepSpacing.LU_LAMBDAS, TimestepSpacing.fromId("lu_lambdas"));
        e = assertThrows(IllegalArgumentException.class, () -> TimestepSpacing.fromId("euler"));
        assertEquals("Unknown timestep spacing 'euler', expected one of linspace, leading, trailing, karras, lu", e.getMessage());
    }
}
