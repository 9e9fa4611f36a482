package org.ddpm4j.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.runtime.image.PngFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A malformed value in a {@code --like} PNG is named with its key and what it held. */
class LikePngTest {

    @TempDir
    Path dir;

    private Path png(String key, String value) throws IOException {
        Map<String, String> text = new LinkedHashMap<>();
        text.put(SampleFiles.KEY_SAMPLER_NAME, "ddim");
        text.put(SampleFiles.KEY_SEED, "7");
        text.put(SampleFiles.KEY_STEPS, "10");
        text.put(key, value);
        Path file = dir.resolve(key + ".png");
        PngFiles.write(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY), file, text);
        return file;
    }

    @Test
    void eachMalformedKeyIsNamedWithWhatItHeld() throws IOException {
        String[][] cases = {
            {SampleFiles.KEY_SEED, "abc", "an integer seed"},
            {SampleFiles.KEY_STEPS, "0", "a whole number of steps, 1 or more"},
            {SampleFiles.KEY_ETA, "NaN", "a number"},
            {SampleFiles.KEY_GUIDANCE, "lots", "a number"},
            {SampleFiles.KEY_CLIP, "yes", "true or false"},
            {SampleFiles.KEY_MODEL_SHA256, "1234", "64 hexadecimal digits"},
        };
        for (String[] c : cases) {
            Path file = png(c[0], c[1]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LikePng.read(file));
            assertEquals(file + ": text chunk '" + c[0] + "' holds '" + c[1] + "', expected " + c[2], e.getMessage());
        }
    }

    @Test
    void aWellFormedPngIsReadAsWritten() throws IOException {
        Map<String, String> text = LikePng.read(png(SampleFiles.KEY_ETA, "0.5"));
        assertEquals("7", text.get(SampleFiles.KEY_SEED));
        assertEquals("0.5", text.get(SampleFiles.KEY_ETA));
    }
}
