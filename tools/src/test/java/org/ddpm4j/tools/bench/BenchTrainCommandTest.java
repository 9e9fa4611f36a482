package org.ddpm4j.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.ddpm4j.tools.DdpmCommand;
import org.junit.jupiter.api.Test;

class BenchTrainCommandTest {

    @Test
    void reportsMedianStepTimeAndMemoryAsJson() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = DdpmCommand.execute("bench", "train", "--preset", "tiny", "--batch", "2", "--warmup", "1",
                    "--repeat", "3", "--threads", "1", "--json");
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        JsonNode n = new ObjectMapper().readTree(out.substring(out.indexOf('{')));
        assertEquals("tiny", n.get("preset").asText());
        assertEquals(176849, n.get("parameters").asLong());
        assertEquals(1, n.get("threads").asInt());
        double median = n.get("median_seconds_per_step").asDouble();
        assertTrue(median >= n.get("min_seconds_per_step").asDouble() && median <= n.get("max_seconds_per_step").asDouble());
        assertEquals(2 / median, n.get("images_per_second").asDouble(), 1e-9);
        assertTrue(n.get("peak_heap_bytes").asLong() > 0);
        assertTrue(n.get("peak_rss_bytes").asLong() > 0 || n.get("peak_rss_bytes").asLong() == -1);
    }
}
