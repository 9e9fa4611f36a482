package org.ddpm4j.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The guidance scale's documented range and seeds that would wrap past {@link Long#MAX_VALUE}. */
class BoundsTest {

    private static GenerationRequest.Builder conditional(double w) {
        return GenerationRequest.builder().optClassLabels(1).optGuidance(w);
    }

    @Test
    void guidanceOutsideZeroToThirtyIsRefused() {
        for (double w : new double[] {1e30, Double.NaN, Double.POSITIVE_INFINITY, -1, 30.5}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conditional(w).build(),
                    "w = " + w);
            assertTrue(e.getMessage().contains("from 0 (the model without a class) to 30, found " + w), e.getMessage());
        }
        assertEquals(0.0, conditional(0).build().guidance());
        assertEquals(30.0, conditional(30).build().guidance());
    }

    @Test
    void seedsThatWouldPassLongMaxValueAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GenerationRequest.builder().optSeeds(Long.MAX_VALUE, 2).build());
        assertTrue(e.getMessage().contains("the first seed can be at most " + (Long.MAX_VALUE - 1)), e.getMessage());
        GenerationRequest last = GenerationRequest.builder().optSeeds(Long.MAX_VALUE - 1, 2).build();
        assertEquals(Long.MAX_VALUE, last.seeds()[1]);
    }
}
