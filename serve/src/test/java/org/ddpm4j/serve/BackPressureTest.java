package org.ddpm4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.ddpm4j.fid.TinyOnnx;
import org.ddpm4j.runtime.onnx.OnnxDenoiser;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Limits under load, with a model held at a gate so that work is in flight on demand: the bounded queue
 * (503 with Retry-After), the request timeout, a client that goes away, readiness, and a graceful stop.
 */
class BackPressureTest {

    private static final String ONE = "{\"seed\": 1, \"steps\": 3, \"sampler\": \"ddim\"}";

    @TempDir
    Path dir;

    private record Served(ImageServer server, GatedDenoiser gate) {
    }

    private Served start(int maxImages, int queue, Duration timeout) throws Exception {
        Path file = TinyOnnx.conditionalDenoiser(dir.resolve("tiny.onnx"), 1, 8);
        OnnxDenoiser onnx = OnnxDenoiser.open(file, OnnxOptions.DEFAULTS);
        GatedDenoiser gate = new GatedDenoiser(onnx);
        ServeSettings settings = ServeSettings.defaults(file).withBatching(1, Duration.ZERO)
                .withLimits(maxImages, 100, queue, timeout);
        ImageServer server = ImageServer.start(settings, DiffusionPipeline.of(gate, onnx.info()));
        return new Served(server, gate);
    }

    private static CompletableFuture<HttpResponse<byte[]>> postAsync(ImageServer server, String body) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Http.post(server.uri(), body);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Waits until the server's queue holds {@code images}. */
    private static void awaitQueued(ImageServer server, int images) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.service().batcher().queuedImages() != images) {
            if (System.nanoTime() > end) {
                throw new AssertionError("queue holds " + server.service().batcher().queuedImages() + " images, expected "
                        + images);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aFullQueueGets503WithRetryAfterAndNothingElseIsLost() throws Exception {
        Served s = start(4, 4, Duration.ofSeconds(60));
        try (ImageServer server = s.server.awaitReady()) {
            s.gate.close();
            CompletableFuture<HttpResponse<byte[]>> running = postAsync(server, ONE);
            s.gate.awaitHeld();
            CompletableFuture<HttpResponse<byte[]>> queued = postAsync(server,
                    "{\"seed\": 2, \"count\": 4, \"steps\": 3, \"sampler\": \"ddim\"}");
            awaitQueued(server, 4);
            HttpResponse<byte[]> refused = Http.post(server.uri(), ONE);
            assertEquals(503, refused.statusCode(), Http.text(refused));
            assertTrue(Integer.parseInt(refused.headers().firstValue("Retry-After").orElseThrow()) >= 1);
            assertTrue(Http.text(refused).contains("the queue is full: 4 image(s) waiting"), Http.text(refused));
            s.gate.open();
            assertEquals(200, running.get(30, TimeUnit.SECONDS).statusCode());
            assertEquals(200, queued.get(30, TimeUnit.SECONDS).statusCode());
            assertEquals(1, ImageServerTest.metric(server, "ddpm_rejections_total{reason=\"queue_full\"}"));
        }
    }

    @Test
    void readinessWaitsForTheWarmUp() throws Exception {
        Path file = TinyOnnx.conditionalDenoiser(dir.resolve("tiny.onnx"), 1, 8);
        OnnxDenoiser onnx = OnnxDenoiser.open(file, OnnxOptions.DEFAULTS);
        GatedDenoiser gate = new GatedDenoiser(onnx);
        gate.close();
        try (ImageServer server = ImageServer.start(ServeSettings.defaults(file), DiffusionPipeline.of(gate, onnx.info()))) {
            gate.awaitHeld();
            assertEquals(200, Http.get(server.uri(), "/health/liveness").statusCode());
            assertEquals(503, Http.get(server.uri(), "/health/readiness").statusCode());
            gate.open();
            server.awaitReady();
            assertEquals(200, Http.get(server.uri(), "/health/readiness").statusCode());
        }
    }

    @Test
    void aRequestThatWaitsTooLongGets503AndLeavesTheQueue() throws Exception {
        Served s = start(4, 8, Duration.ofMillis(800));
        try (ImageServer server = s.server.awaitReady()) {
            s.gate.close();
            CompletableFuture<HttpResponse<byte[]>> running = postAsync(server, ONE);
            s.gate.awaitHeld();
            HttpResponse<byte[]> late = Http.post(server.uri(), "{\"seed\": 9, \"count\": 2, \"steps\": 3}");
            assertEquals(503, late.statusCode());
            assertTrue(Http.text(late).contains("timeout of 0.8 s"), Http.text(late));
            assertEquals(0, server.service().batcher().queuedImages(), "the timed-out request is still queued");
            s.gate.open();
            // the running one timed out too (its client got 503); the server is free again
            running.get(30, TimeUnit.SECONDS);
            assertEquals(200, Http.post(server.uri(), ONE).statusCode());
        }
    }

    @Test
    void aClientThatGoesAwayStopsCostingCompute() throws Exception {
        Served s = start(4, 8, Duration.ofSeconds(60));
        try (ImageServer server = s.server.awaitReady()) {
            s.gate.close();
            CompletableFuture<HttpResponse<byte[]>> running = postAsync(server, ONE);
            s.gate.awaitHeld();
            byte[] body = "{\"seed\": 3, \"count\": 3, \"steps\": 3}".getBytes(StandardCharsets.UTF_8);
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/images HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                awaitQueued(server, 3);
            }
            awaitQueued(server, 0);
            int callsBefore = s.gate.calls.get();
            s.gate.open();
            assertEquals(200, running.get(30, TimeUnit.SECONDS).statusCode());
            // the running request's 3 steps only: nothing was drawn for the client that left
            assertEquals(3 - 1, s.gate.calls.get() - callsBefore, "denoiser calls after the gate opened");
            assertEquals(1, ImageServerTest.metric(server, "ddpm_rejections_total{reason=\"client_gone\"}"));
        }
    }

    @Test
    void closeFinishesRequestsInFlightAndRefusesNewOnes() throws Exception {
        Served s = start(4, 16, Duration.ofSeconds(60));
        ImageServer server = s.server.awaitReady();
        s.gate.close();
        List<CompletableFuture<HttpResponse<byte[]>>> inFlight = new ArrayList<>();
        inFlight.add(postAsync(server, ONE));
        s.gate.awaitHeld();
        inFlight.add(postAsync(server, "{\"seed\": 5, \"count\": 2, \"steps\": 3}"));
        inFlight.add(postAsync(server, "{\"seed\": 8, \"steps\": 4}"));
        awaitQueued(server, 3);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.service().ready() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        HttpResponse<byte[]> refused = Http.post(server.uri(), ONE);
        assertEquals(503, refused.statusCode());
        assertTrue(Http.text(refused).contains("shutting down"), Http.text(refused));
        assertEquals(503, Http.get(server.uri(), "/health/readiness").statusCode());
        s.gate.open();
        for (CompletableFuture<HttpResponse<byte[]>> f : inFlight) {
            HttpResponse<byte[]> r = f.get(30, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), Http.text(r));
        }
        closing.get(30, TimeUnit.SECONDS);
    }
}
