package org.ddpm4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ddpm sample}'s numbers out of bounds: refused in one line, before the model is opened. */
class SampleBoundsTest {

    @Test
    void outOfBoundsNumbersAreRefusedBeforeTheModelOpens(@TempDir Path dir) throws Exception {
        Path model = SampleAndAdoptCommandTest.adoptedModel(dir);
        String[][] cases = {
            {"--guidance", "1e30", "--guidance: guidance scale must be a number from 0 (the model without a class) to 30,"
                    + " found 1.0E30"},
            {"--guidance", "NaN", "--guidance: guidance scale must be a number from 0 (the model without a class) to 30,"
                    + " found NaN"},
            {"--guidance", "-2", "--guidance: guidance scale must be a number from 0 (the model without a class) to 30,"
                    + " found -2.0"},
            {"--seed", "9223372036854775800", "--seed 9223372036854775800 with -n 16: image k uses seed --seed + k, and"
                    + " the last, 9223372036854775800 + 15, passes the largest seed 9223372036854775807; the first seed"
                    + " can be at most 9223372036854775792"},
            {"--columns", "0", "--columns must be at least 1, found 0 (leave it out for a square grid)"},
            {"--gif-every", "0", "--gif-every must be at least 1 step, found 0 (leave it out for about 25 frames)"},
        };
        for (String[] c : cases) {
            SampleAndAdoptCommandTest.Run r = SampleAndAdoptCommandTest.run("sample", "--model", model.toString(),
                    "--grid", "--gif", c[0], c[1], "--out", dir.resolve("out").toString(), "--no-progress");
            assertEquals(DdpmCommand.EXIT_BAD_INPUT, r.code(), c[0] + " " + c[1] + ": " + r.err());
            assertEquals("ddpm sample: " + c[2], r.err().strip());
            assertFalse(r.out().contains("model "), "no model was opened: " + r.out());
        }
        SampleAndAdoptCommandTest.Run last = SampleAndAdoptCommandTest.run("sample", "--model", model.toString(),
                "--seed", "9223372036854775806", "-n", "2", "--steps", "2", "--out", dir.resolve("last").toString(),
                "--no-progress", "--threads", "1");
        assertEquals(0, last.code(), last.err());
        assertEquals(true, java.nio.file.Files.exists(dir.resolve("last/sample-0001-seed9223372036854775807.png")));
    }
}
