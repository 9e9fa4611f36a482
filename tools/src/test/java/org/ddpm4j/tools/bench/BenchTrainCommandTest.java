package org.ddpm4j.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.ddpm4j.tools.DdpmCommand;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        assertEquals(34164736, n.get("forward_flops_per_image").asLong());
        double sgemm = n.get("sgemm_flops_per_second").asDouble();
        assertTrue(sgemm > 1e8, "SGEMM rate " + sgemm);
        assertEquals(3.0 * 34164736 * 2 / median / sgemm, n.get("sgemm_share").asDouble(), 1e-9);
    }

    /** --profile writes PyTorch's Chrome trace of the timed steps, holding the step's operators. */
    @Test
    void profileWritesATraceOfTheTimedSteps(@TempDir Path dir) throws Exception {
        Path trace = dir.resolve("trace.json");
        PrintStream old = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        int code;
        try {
            code = DdpmCommand.execute("bench", "train", "--preset", "tiny", "--batch", "2", "--warmup", "1",
                    "--repeat", "1", "--threads", "1", "--profile", trace.toString());
        } finally {
            System.setOut(old);
        }
        assertEquals(0, code);
        JsonNode n = new ObjectMapper().readTree(trace.toFile());
        JsonNode events = n.isArray() ? n : n.get("traceEvents");
        boolean conv = false;
        boolean backward = false;
        for (JsonNode e : events) {
            String name = e.path("name").asText();
            conv |= name.contains("convolution");
            backward |= name.contains("convolution_backward");
        }
        assertTrue(conv && backward, "the trace holds the forward and backward convolutions");
    }
}
