package org.ddpm4j.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.ddpm4j.fid.TinyOnnx;
import org.ddpm4j.runtime.image.PngFiles;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.runtime.pipeline.SampleFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API over a real HTTP server on a free port and the JDK's HTTP client, on a tiny class-conditional model. */
class ImageServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path model;
    static ImageServer server;
    static DiffusionPipeline reference;

    @BeforeAll
    static void start() throws Exception {
        model = TinyOnnx.conditionalDenoiser(dir.resolve("tiny.onnx"), 1, 8);
        server = ImageServer.start(ServeSettings.defaults(model).withBatching(16, Duration.ofMillis(300))).awaitReady();
        reference = DiffusionPipeline.open(model, OnnxOptions.DEFAULTS);
    }

    @AfterAll
    static void stop() {
        server.close();
        reference.close();
    }

    @Test
    void oneImageIsThePngDdpmSampleWrites() throws Exception {
        HttpResponse<byte[]> r = Http.post(server.uri(), "{\"seed\": 5, \"class\": \"bright\", \"guidance\": 2,"
                + " \"sampler\": \"ddim\", \"steps\": 10}");
        assertEquals(200, r.statusCode(), Http.text(r));
        assertEquals("image/png", r.headers().firstValue("Content-Type").orElseThrow());
        byte[] expected = Expected.png(reference, model, dir, "ddim", 10, 5, 1L, 2.0);
        assertArrayEquals(expected, r.body(), "the served PNG (pixels and text) differs from ddpm sample's file");
        Path saved = Files.write(dir.resolve("served.png"), r.body());
        Map<String, String> text = PngFiles.readText(saved);
        assertEquals("5", text.get(SampleFiles.KEY_SEED));
        assertEquals("ddim", text.get(SampleFiles.KEY_SAMPLER_NAME));
        assertEquals("1", text.get(SampleFiles.KEY_CLASS));
        assertEquals("bright", text.get(SampleFiles.KEY_CLASS_NAME));
        assertEquals("2.0", text.get(SampleFiles.KEY_GUIDANCE));
        assertEquals(reference.modelSha256(), text.get(SampleFiles.KEY_MODEL_SHA256));
    }

    @Test
    void mergedBatchesGiveTheSameBytesAsImagesDrawnAlone() throws Exception {
        long batchesBefore = metric("ddpm_batch_images_count");
        int n = 12;
        List<CompletableFuture<HttpResponse<byte[]>>> pending = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            // every request alone, all at once: the server merges them; two step counts form two batches
            String body = "{\"seed\": " + (100 + k) + ", \"steps\": " + (k % 2 == 0 ? 10 : 7) + ", \"sampler\": \"dpmpp-sde\"}";
            pending.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return Http.post(server.uri(), body);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (int k = 0; k < n; k++) {
            HttpResponse<byte[]> r = pending.get(k).join();
            assertEquals(200, r.statusCode(), Http.text(r));
            byte[] alone = Expected.png(reference, model, dir, "dpmpp-sde", k % 2 == 0 ? 10 : 7, 100 + k, null, 1.0);
            assertArrayEquals(alone, r.body(), "seed " + (100 + k) + " differs when batched");
        }
        long batches = metric("ddpm_batch_images_count") - batchesBefore;
        assertTrue(batches < n, "12 concurrent requests ran in " + batches + " batches: nothing was merged");
        assertTrue(batches >= 2, "requests with different steps must not share a batch, found " + batches + " batch(es)");
    }

    @Test
    void severalImagesComeAsJsonOrZip() throws Exception {
        String body = "{\"seed\": 20, \"count\": 3, \"class\": 0, \"steps\": 5}";
        HttpResponse<byte[]> json = Http.post(server.uri(), body);
        assertEquals(200, json.statusCode(), Http.text(json));
        assertEquals("application/json", json.headers().firstValue("Content-Type").orElseThrow());
        JsonNode images = JSON.readTree(json.body()).get("images");
        assertEquals(3, images.size());
        HttpResponse<byte[]> zip = Http.post(server.uri(), body, "application/zip");
        assertEquals(200, zip.statusCode());
        assertEquals("application/zip", zip.headers().firstValue("Content-Type").orElseThrow());
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip.body()))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                entries.put(e.getName(), in.readAllBytes());
            }
        }
        assertEquals(List.of("sample-0000-seed20.png", "sample-0001-seed21.png", "sample-0002-seed22.png"),
                new ArrayList<>(entries.keySet()));
        for (int k = 0; k < 3; k++) {
            JsonNode image = images.get(k);
            assertEquals(20 + k, image.get("seed").asLong());
            assertEquals("dark", image.get("class_name").asText());
            byte[] png = Base64.getDecoder().decode(image.get("png").asText());
            assertArrayEquals(Expected.png(reference, model, dir, "dpmpp-sde", 5, 20 + k, 0L, 1.0), png);
            assertArrayEquals(png, entries.get(image.get("file").asText()));
        }
    }

    @Test
    void badRequestsGet400NamingTheField() throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"seed\": ", "malformed JSON at line 1");
        cases.put("{\"seeds\": [1, 2]}", "unknown field 'seeds': expected one of seed, count");
        cases.put("{\"steps\": \"ten\"}", "field 'steps': expected an integer from 1 to 10, found \"ten\" (a string)");
        cases.put("{\"seed\": 1.5}", "field 'seed': expected an integer (64-bit), found 1.5 (a number)");
        cases.put("{\"count\": 65, \"steps\": 5}", "field 'count': expected an integer from 1 to 64 (the server's limit"
                + " of images per request), found 65");
        cases.put("{\"steps\": 11}", "field 'steps': expected an integer from 1 to 10 (the model's timesteps), found 11");
        cases.put("{\"class\": \"shoe\", \"steps\": 5}", "field 'class': unknown class 'shoe': expected a label 0..1");
        cases.put("{\"class\": \"none\", \"guidance\": 3, \"steps\": 5}", "field 'guidance': class 'none'");
        cases.put("{\"sampler\": \"euler\", \"steps\": 5}", "field 'sampler': expected one of ddpm, ddim, dpmpp,"
                + " dpmpp-sde, found 'euler'");
        cases.put("{\"spacing\": \"odd\", \"steps\": 5}", "field 'spacing': Unknown timestep spacing 'odd'");
        cases.put("[7]", "expected a JSON object");
        cases.put("", "empty body");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<byte[]> r = Http.post(server.uri(), c.getKey());
            assertEquals(400, r.statusCode(), c.getKey());
            String error = JSON.readTree(r.body()).get("error").asText();
            assertTrue(error.startsWith(c.getValue()), "for " + c.getKey() + ": expected '" + c.getValue()
                    + "...', found '" + error + "'");
        }
        HttpResponse<byte[]> big = Http.post(server.uri(), "{\"seed\": 1, \"pad\": \"" + "x".repeat(20_000) + "\"}");
        assertEquals(413, big.statusCode());
        assertTrue(Http.text(big).contains("larger than the server's limit of 16384 bytes"), Http.text(big));
    }

    @Test
    void modelHealthMetricsAndOpenApi() throws Exception {
        JsonNode m = JSON.readTree(Http.get(server.uri(), "/v1/model").body());
        assertEquals("2", m.get("contract").get("ddpm.class_count").asText());
        assertEquals("bright", m.get("classes").get(1).asText());
        assertEquals(64, m.get("limits").get("max_images_per_request").asInt());
        assertEquals(200, Http.get(server.uri(), "/health/liveness").statusCode());
        assertEquals(200, Http.get(server.uri(), "/health/readiness").statusCode());
        HttpResponse<String> metrics = Http.get(server.uri(), "/metrics");
        assertTrue(metrics.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));
        for (String name : List.of("ddpm_queue_images", "ddpm_batch_images_bucket{le=\"16\"}", "ddpm_request_seconds_count",
                "ddpm_images_served_total", "ddpm_rejections_total")) {
            assertTrue(metrics.body().contains(name), name + " missing from /metrics");
        }
        String openapi = Http.get(server.uri(), "/openapi.yaml").body();
        assertTrue(openapi.startsWith("openapi: 3.") && openapi.contains("/v1/images:"), openapi);
        assertTrue(Http.get(server.uri(), "/").body().contains("<form"));
    }

    /** The value of a metric line {@code name value} in /metrics. */
    static long metric(String name) throws Exception {
        return metric(server, name);
    }

    static long metric(ImageServer s, String name) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(Http.get(s.uri(), "/metrics").body());
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }
}
