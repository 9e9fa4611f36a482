package org.ddpm4j.fid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ExtractorInputTest {

    /** A 28x28 image as the trainer pads it to 32x32 (2 background pixels a side) reaches a 28x28 extractor unchanged. */
    @Test
    void paddedTrainingSizeIsCroppedBackNotShrunk() {
        Random rnd = new Random(3);
        float[] data = new float[28 * 28];
        for (int i = 0; i < data.length; i++) {
            data[i] = rnd.nextFloat();
        }
        float[] padded = new float[32 * 32];
        for (int y = 0; y < 28; y++) {
            System.arraycopy(data, y * 28, padded, (y + 2) * 32 + 2, 28);
        }
        ExtractorInput in = new ExtractorInput(1, 28, 28, InputRange.ZERO_ONE);
        float[] direct = new float[28 * 28];
        float[] fromPadded = new float[28 * 28];
        in.write(new FidImage(1, 28, 28, data), direct, 0);
        in.write(new FidImage(1, 32, 32, padded), fromPadded, 0);
        assertArrayEquals(data, direct, 0f);
        assertArrayEquals(data, fromPadded, 0f, "a 32x32 padded sample must compare with the 28x28 data at its scale");

        // RGB padded to gray: cropped, then averaged
        float[] rgb = new float[3 * 32 * 32];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(padded, 0, rgb, c * 32 * 32, 32 * 32);
        }
        float[] gray = new float[28 * 28];
        in.write(new FidImage(3, 32, 32, rgb), gray, 0);
        assertArrayEquals(data, gray, 1e-6f);
    }

    @Test
    void otherSizesAreResizedBilinearly() {
        // 8x8 -> 4x4 is a 2x downscale: each output is the mean of a 2x2 block
        float[] src = new float[64];
        for (int i = 0; i < 64; i++) {
            src[i] = i / 64f;
        }
        ExtractorInput in = new ExtractorInput(1, 4, 4, InputRange.ZERO_ONE);
        float[] out = new float[16];
        in.write(new FidImage(1, 8, 8, src), out, 0);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                double mean = (src[2 * y * 8 + 2 * x] + src[2 * y * 8 + 2 * x + 1] + src[(2 * y + 1) * 8 + 2 * x]
                        + src[(2 * y + 1) * 8 + 2 * x + 1]) / 4.0;
                assertEquals(mean, out[y * 4 + x], 1e-6);
            }
        }
    }
}
