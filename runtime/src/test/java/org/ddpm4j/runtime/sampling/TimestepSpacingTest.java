package org.ddpm4j.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TimestepSpacingTest {

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
        assertEquals(Math.round(999 * 18 / 19.0), linspace[1]);
        assertEquals(0, linspace[19]);
    }

    @Test
    void everySpacingIsStrictlyDecreasingAndInRange() {
        for (TimestepSpacing sp : TimestepSpacing.values()) {
            for (int steps : new int[] {1, 2, 7, 10, 25, 333, 999, 1000}) {
                int[] ts = sp.timesteps(1000, steps);
                assertEquals(steps, ts.length);
                for (int i = 0; i < steps; i++) {
                    assertTrue(ts[i] >= 0 && ts[i] < 1000, sp + " " + steps + ": " + ts[i]);
                    if (i > 0) {
                        assertTrue(ts[i] < ts[i - 1], sp + " " + steps + " not decreasing at " + i);
                    }
                }
            }
            int[] all = sp.timesteps(50, 50);
            for (int i = 0; i < 50; i++) {
                assertEquals(49 - i, all[i], sp + " with all steps");
            }
        }
    }

    @Test
    void badStepCountsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TimestepSpacing.TRAILING.timesteps(1000, 1001));
        assertTrue(e.getMessage().contains("1..1000") && e.getMessage().contains("1001"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TimestepSpacing.LEADING.timesteps(1000, 0));
        assertArrayEquals(new int[] {999}, TimestepSpacing.LINSPACE.timesteps(1000, 1));
        assertEquals(TimestepSpacing.TRAILING, TimestepSpacing.fromId("Trailing"));
        assertThrows(IllegalArgumentException.class, () -> TimestepSpacing.fromId("karras"));
    }
}
