package org.ddpm4j.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ddpm4j.fid.TinyOnnx;
import org.ddpm4j.serve.ImageServer;
import org.ddpm4j.serve.ServeSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ddpm serve}'s images against {@code ddpm sample --like}, its option checks, and {@code ddpm bench serve}. */
class ServeCommandTest {

    @TempDir
    Path dir;

    @Test
    void aServedPngIsDrawnAgainByDdpmSampleLike() throws Exception {
        Path model = TinyOnnx.conditionalDenoiser(dir.resolve("tiny.onnx"), 1, 8);
        try (ImageServer server = ImageServer.start(ServeSettings.defaults(model)).awaitReady()) {
            HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.uri().resolve("/v1/images"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"seed\": 11, \"class\": \"dark\", \"guidance\": 2,"
                            + " \"sampler\": \"ddim\", \"steps\": 6, \"eta\": 0.5}")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode(), new String(r.body()));
            Path served = Files.write(dir.resolve("served.png"), r.body());
            Path out = dir.resolve("again");
            SampleAndAdoptCommandTest.Run s = SampleAndAdoptCommandTest.run("sample", "--model", model.toString(),
                    "--like", served.toString(), "--out", out.toString(), "--no-progress");
            assertEquals(0, s.code(), s.err());
            assertArrayEquals(r.body(), Files.readAllBytes(out.resolve("sample-0000-seed11.png")),
                    "ddpm sample --like did not redraw the served PNG byte for byte");

            SampleAndAdoptCommandTest.Run bench = SampleAndAdoptCommandTest.run("bench", "serve", "--url",
                    server.uri().toString(), "--clients", "1,3", "--warmup", "0.2", "--duration", "1",
                    "--sampler", "ddim", "--steps", "4", "--json");
            assertEquals(0, bench.code(), bench.err());
            JsonNode levels = new ObjectMapper().readTree(bench.out()).get("levels");
            assertEquals(2, levels.size());
            for (JsonNode level : levels) {
                assertTrue(level.get("ok").asLong() > 0, level.toString());
                assertEquals(0, level.get("errors").asLong(), level.toString());
            }
        }
    }

    @Test
    void otherCommandsStartNoHttpServer() {
        java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
        SampleAndAdoptCommandTest.Run r = SampleAndAdoptCommandTest.run("sample", "--help");
        assertEquals(0, r.code(), r.err());
        // threads a server started in another test of this JVM may still be ending: only new ones count
        List<String> netty = Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t))
                .map(Thread::getName).filter(n -> n.toLowerCase(java.util.Locale.ROOT).contains("eventloop")).toList();
        assertEquals(List.of(), netty, "ddpm sample started Netty event loops");
    }

    @Test
    void badOptionsGetOneLineAndExitCode2() throws Exception {
        Path model = TinyOnnx.conditionalDenoiser(dir.resolve("tiny.onnx"), 1, 8);
        SampleAndAdoptCommandTest.Run r = SampleAndAdoptCommandTest.run("serve", "--model", model.toString(),
                "--max-batch", "0");
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, r.code());
        assertEquals("ddpm serve: --max-batch must be in 1..4096, found 0", r.err().strip());
        r = SampleAndAdoptCommandTest.run("serve", "--model", dir.resolve("missing.onnx").toString());
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, r.code());
        assertTrue(r.err().startsWith("ddpm serve: file not found: "), r.err());
        r = SampleAndAdoptCommandTest.run("bench", "serve", "--clients", "0", "--model", model.toString());
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, r.code());
        assertTrue(r.err().contains("--clients must be numbers from 1 to 4096, found [0]"), r.err());
    }
}
