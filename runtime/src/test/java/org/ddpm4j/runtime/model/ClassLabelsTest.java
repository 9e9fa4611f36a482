package org.ddpm4j.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassLabelsTest {

    private final ClassLabels classes = new ClassLabels(3, List.of("t-shirt/top", "trouser", "pullover"));

    @Test
    void theClassOfASeedIsTheSeedModK() {
        assertArrayEquals(new long[] {0, 1, 2, 0, 1}, classes.bySeed(0, 5));
        assertArrayEquals(new long[] {2, 0, 1}, classes.bySeed(-4, 3));
        assertEquals(1, classes.bySeed(Long.MAX_VALUE), "(2^63 - 1) mod 3");
        assertEquals(2, classes.bySeed(-1), "a negative seed still gets a class in 0..K-1");
        assertEquals(0, classes.bySeed(-3));
    }

    @Test
    void noneIsTheNullLabelAndNamesAreFoundAsResolveFindsThem() {
        assertEquals(3, classes.choose("none"));
        assertEquals(3, classes.choose(" NULL "));
        assertEquals(0, classes.choose("T-Shirt / Top"));
        assertEquals(2, classes.choose("2"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> classes.choose("3"));
        assertTrue(e.getMessage().startsWith("class label 3 is out of range: expected 0..2"), e.getMessage());
        assertTrue(e.getMessage().endsWith(", or 'none' for the null label (no class)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> classes.choose("sneaker"));
        assertTrue(e.getMessage().startsWith("unknown class 'sneaker'"), e.getMessage());
    }
}
