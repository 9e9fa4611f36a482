package org.ddpm4j.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleProgressTest {

    @Test
    void aLogGetsPlainLinesAndNoRepeatedFinalLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        ConsoleProgress p = new ConsoleProgress(out, false);
        p.onStart(4, 10);
        p.onStep(5, 0.5f, 0.5, 12.0);
        p.onMessage("stopped at step 5");
        p.onEnd();
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("\r"), "a log gets no carriage-return frames: " + text);
        List<String> lines = text.lines().filter(l -> l.startsWith("train")).toList();
        assertFalse(lines.isEmpty(), text);
        assertTrue(lines.get(lines.size() - 1).contains("5/10"), text);
        assertEquals(lines.stream().distinct().count(), lines.size(), "a progress line printed twice: " + text);
    }
}
