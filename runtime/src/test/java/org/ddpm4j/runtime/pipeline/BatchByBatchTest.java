package org.ddpm4j.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.onnx.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DiffusionPipeline#generate(GenerationRequest, DiffusionPipeline.BatchListener)}: each batch is handed
 * over as soon as it is sampled, before the next starts, and a listener that throws stops the request.
 */
class BatchByBatchTest {

    static DiffusionPipeline pipeline;

    @BeforeAll
    static void open() throws IOException {
        pipeline = DiffusionPipeline.open(TestModels.gaussianEpsilon(DiffusionPipelineTest.INFO, 0.2, 0.4), "gauss.onnx",
                OnnxOptions.DEFAULTS.withThreads(1));
    }

    @AfterAll
    static void close() {
        pipeline.close();
    }

    @Test
    void eachBatchArrivesBeforeTheNextStartsWithItsOwnImages() throws IOException {
        AtomicLong done = new AtomicLong();
        List<long[]> progressAtBatch = new ArrayList<>();
        List<DiffusionPipeline.Batch> batches = new ArrayList<>();
        GenerationRequest request = DiffusionPipelineTest.request().optTrajectoryEvery(4)
                .optProgress((d, total) -> done.set(d)).build();
        GenerationResult whole = pipeline.generate(request, batch -> {
            batches.add(batch);
            progressAtBatch.add(new long[] {batch.firstImage(), done.get()});
        });
        // 5 images in batches of 2: after batch k only its 12 steps (and those before) were taken
        assertEquals(3, batches.size());
        assertArrayEquals(new long[] {0, 12}, progressAtBatch.get(0));
        assertArrayEquals(new long[] {2, 24}, progressAtBatch.get(1));
        assertArrayEquals(new long[] {4, 36}, progressAtBatch.get(2));
        int per = whole.imageValues();
        for (DiffusionPipeline.Batch b : batches) {
            GenerationResult r = b.result();
            assertArrayEquals(Arrays.copyOfRange(whole.seeds(), b.firstImage(), b.firstImage() + r.count()), r.seeds());
            assertArrayEquals(Arrays.copyOfRange(whole.samples(), b.firstImage() * per, (b.firstImage() + r.count()) * per),
                    r.samples());
            assertEquals(whole.sampler(), r.sampler());
            assertEquals(whole.frames().size(), r.frames().size());
        }
    }

    @Test
    void aBatchWrittenAloneIsTheSameFileAsTheWholeRunWrittenAtOnce(@TempDir Path dir) throws IOException {
        GenerationRequest request = DiffusionPipelineTest.request().build();
        Map<String, String> settings = SampleFiles.settingsText("ddim", "leading", 0.5, "fixed_small", true, false,
                "gauss.onnx");
        Path byBatch = dir.resolve("by-batch");
        GenerationResult whole = pipeline.generate(request, b -> SampleFiles.writeImages(
                b.result(), b.firstImage(), byBatch, "s-", "ab", settings));
        List<Path> atOnce = SampleFiles.writeImages(whole, dir.resolve("at-once"), "s-", "ab", settings);
        assertEquals(5, atOnce.size());
        for (Path p : atOnce) {
            assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(byBatch.resolve(p.getFileName())), p.toString());
        }
    }

    @Test
    void aListenerThatThrowsStopsTheRequest() {
        AtomicLong done = new AtomicLong();
        GenerationRequest request = DiffusionPipelineTest.request().optProgress((d, total) -> done.set(d)).build();
        IOException e = assertThrows(IOException.class, () -> pipeline.generate(request, b -> {
            throw new IOException("disk full at image " + b.firstImage());
        }));
        assertEquals("disk full at image 0", e.getMessage());
        assertTrue(done.get() == 12, "only the first batch was sampled, found " + done.get() + " steps");
    }
}
