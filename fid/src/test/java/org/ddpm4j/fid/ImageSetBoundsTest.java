package org.ddpm4j.fid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Bounds of {@code noise:} and {@code model:} sets: n at least 1 when given, each key once, guidance in range. */
class ImageSetBoundsTest {

    private static final Path DATA = Path.of("fashion-mnist");

    private static String refusal(String set) {
        return assertThrows(IllegalArgumentException.class, () -> ImageSet.parse(set, DATA)).getMessage();
    }

    @Test
    void nZeroIsRefusedInsteadOfDrawingTheDefaultThousand() {
        assertEquals("image set 'noise:n=0': n must be at least 1 image, found 0 (leave n out for the -n limit)",
                refusal("noise:n=0"));
        assertEquals("image set 'model:m.onnx?n=0&steps=5': n must be at least 1 image, found 0 (leave n out for the -n"
                + " limit)", refusal("model:m.onnx?n=0&steps=5"));
        assertEquals(0, ((ImageSet.Noise) ImageSet.parse("noise", DATA)).count(), "no n: the -n limit");
        assertEquals(3, ((ImageSet.ModelSamples) ImageSet.parse("model:m.onnx?n=3", DATA)).count());
    }

    @Test
    void aKeyGivenTwiceIsRefused() {
        assertEquals("image set 'noise:n=5&n=6': key 'n' is given twice; give each key once", refusal("noise:n=5&n=6"));
        assertEquals("image set 'model:m.onnx?steps=5&sampler=ddim&STEPS=50': key 'steps' is given twice; give each"
                + " key once", refusal("model:m.onnx?steps=5&sampler=ddim&STEPS=50"));
    }

    @Test
    void guidanceAndSeedsOutOfRangeAreRefused() {
        assertEquals("guidance scale must be a number from 0 (the model without a class) to 30, found 1.0E30",
                refusal("model:m.onnx?guidance=1e30"));
        assertEquals("seed 9223372036854775807 + 2 images passes the largest seed, 9223372036854775807: the first seed"
                + " can be at most 9223372036854775806", refusal("model:m.onnx?n=2&seed=9223372036854775807"));
    }
}
