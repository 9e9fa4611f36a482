package org.ddpm4j.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the shipped Fashion-MNIST model: sixteen single-image requests sent at once are merged into batches, and
 * every PNG equals, byte for byte, the one drawn alone at batch 1 (ONNX Runtime's rows do not depend on the
 * batch here), with guidance 1 (one call) and 3 (conditional and null halves in one 2B call).
 */
class ShippedModelBatchingTest {

    static final Path SHIPPED = Path.of("..", "models", "fashion-mnist", "model.onnx");

    @TempDir
    Path dir;

    @Test
    void batchedPngsEqualPngsDrawnAlone() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(SHIPPED), "the shipped model is not at " + SHIPPED.toAbsolutePath());
        ServeSettings settings = ServeSettings.defaults(SHIPPED).withBatching(16, Duration.ofMillis(1500));
        try (ImageServer server = ImageServer.start(settings).awaitReady();
                DiffusionPipeline alone = DiffusionPipeline.open(SHIPPED, OnnxOptions.DEFAULTS)) {
            check(server, alone, 16, "", null, 1.0);
            check(server, alone, 6, ", \"class\": \"sneaker\", \"guidance\": 3", 7L, 3.0);
        }
    }

    private void check(ImageServer server, DiffusionPipeline alone, int n, String extra, Long label, double w)
            throws Exception {
        long batchesBefore = ImageServerTest.metric(server, "ddpm_batch_images_count");
        List<CompletableFuture<HttpResponse<byte[]>>> pending = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            String body = "{\"seed\": " + (300 + k) + ", \"steps\": 10" + extra + "}";
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
            byte[] expected = Expected.png(alone, SHIPPED, dir, "dpmpp-sde", 10, 300 + k, label, w);
            assertArrayEquals(expected, r.body(), "seed " + (300 + k) + " differs between its batch and batch 1");
        }
        long batches = ImageServerTest.metric(server, "ddpm_batch_images_count") - batchesBefore;
        assertTrue(batches < n, n + " concurrent requests ran in " + batches + " batches: nothing was merged");
    }
}
