package org.ddpm4j.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.ddpm4j.runtime.onnx.OnnxDenoiser;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.onnx.TestModels;
import org.ddpm4j.runtime.sampling.Denoiser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link DiffusionPipeline} with several batches at once: the same images, frames and progress as one batch at a
 * time, batches handed over in order on the caller's thread, and a failure or cancellation that stops every
 * sampling thread before {@code generate} returns.
 */
class ParallelBatchesTest {

    static OnnxDenoiser model;

    @BeforeAll
    static void open() throws IOException {
        model = OnnxDenoiser.open(TestModels.gaussianEpsilon(DiffusionPipelineTest.INFO, 0.2, 0.4), "gauss.onnx",
                OnnxOptions.DEFAULTS.withThreads(1));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** The ONNX model, counting its calls, optionally slowed down or failing at one call. */
    static final class Counting implements Denoiser {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();
        final long sleepMillis;
        final int failAt;

        Counting(long sleepMillis, int failAt) {
            this.sleepMillis = sleepMillis;
            this.failAt = failAt;
        }

        @Override
        public int channels() {
            return model.channels();
        }

        @Override
        public int height() {
            return model.height();
        }

        @Override
        public int width() {
            return model.width();
        }

        @Override
        public void predict(float[] sample, long[] timesteps, float[] out) {
            int call = calls.incrementAndGet();
            mostAtOnce.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                if (call == failAt) {
                    throw new IllegalStateException("model call " + call + " failed");
                }
                if (sleepMillis > 0) {
                    Thread.sleep(sleepMillis);
                }
                model.predict(sample, timesteps, out);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    @Test
    void sameImagesFramesAndProgressAsOneBatchAtATimeInOrderOnTheCallersThread() throws IOException {
        DiffusionPipeline one = DiffusionPipeline.of(model, DiffusionPipelineTest.INFO);
        for (int batch : new int[] {1, 2, 5, 7}) {
            GenerationRequest request = DiffusionPipelineTest.request().optSeeds(3, 7).optBatchSize(batch)
                    .optTrajectoryEvery(4).build();
            GenerationResult expected = one.generate(request);
            for (int lanes : new int[] {2, 3, 8}) {
                Counting counting = new Counting(2, -1);
                DiffusionPipeline p = DiffusionPipeline.of(counting, DiffusionPipelineTest.INFO, lanes);
                int size = p.batchSize(request);
                assertEquals(Math.min(batch, (7 + Math.min(lanes, 7) - 1) / Math.min(lanes, 7)), size);
                int batches = (7 + size - 1) / size;
                List<Integer> firsts = new ArrayList<>();
                List<Thread> threads = new ArrayList<>();
                AtomicLong last = new AtomicLong();
                AtomicLong totalSeen = new AtomicLong();
                AtomicInteger progressAtOnce = new AtomicInteger();
                AtomicInteger progressMost = new AtomicInteger();
                GenerationRequest withProgress = DiffusionPipelineTest.request().optSeeds(3, 7).optBatchSize(batch)
                        .optTrajectoryEvery(4).optProgress((done, total) -> {
                            progressMost.accumulateAndGet(progressAtOnce.incrementAndGet(), Math::max);
                            last.accumulateAndGet(done, Math::max);
                            totalSeen.set(total);
                            progressAtOnce.decrementAndGet();
                        }).build();
                GenerationResult got = p.generate(withProgress, b -> {
                    firsts.add(b.firstImage());
                    threads.add(Thread.currentThread());
                });
                String what = "batch " + batch + ", " + lanes + " at once";
                assertArrayEquals(expected.samples(), got.samples(), what);
                assertEquals(expected.frames().size(), got.frames().size(), what);
                for (int f = 0; f < expected.frames().size(); f++) {
                    assertArrayEquals(expected.frames().get(f), got.frames().get(f), what + ", frame " + f);
                }
                List<Integer> inOrder = new ArrayList<>();
                for (int k = 0; k < batches; k++) {
                    inOrder.add(k * size);
                }
                assertEquals(inOrder, firsts, what);
                threads.forEach(t -> assertSame(Thread.currentThread(), t, what));
                assertEquals(batches * 12L, totalSeen.get(), what);
                assertEquals(batches * 12L, last.get(), what);
                assertEquals(1, progressMost.get(), what + ": progress calls one at a time");
                assertEquals(batches * 12, counting.calls.get(), what);
                if (batches > 1) {
                    assertTrue(counting.mostAtOnce.get() > 1, what + ": batches ran at once");
                }
                assertTrue(counting.mostAtOnce.get() <= Math.min(lanes, batches), what);
            }
        }
    }

    @Test
    void aListenerThatThrowsStopsTheOtherBatchesBeforeGenerateReturns() throws InterruptedException {
        Counting counting = new Counting(5, -1);
        DiffusionPipeline p = DiffusionPipeline.of(counting, DiffusionPipelineTest.INFO, 2);
        GenerationRequest request = DiffusionPipelineTest.request().optSeeds(0, 12).optBatchSize(1).build();
        IOException failure = new IOException("disk full");
        IOException e = assertThrows(IOException.class, () -> p.generate(request, b -> {
            throw failure;
        }));
        assertSame(failure, e);
        int afterReturn = counting.calls.get();
        assertEquals(0, counting.inFlight.get(), "no model call under way once generate has thrown");
        Thread.sleep(100);
        assertEquals(afterReturn, counting.calls.get(), "no model call after generate has thrown");
        assertTrue(afterReturn < 12 * 12, "the later batches were not all sampled: " + afterReturn + " calls");
        assertNoSamplingThreads();
    }

    @Test
    void aFailingBatchFailsTheRequestAfterTheBatchesBeforeIt() throws InterruptedException {
        // batches of 1 image, 12 calls each: call 30 is in the third batch or, running at once, the second or third
        Counting counting = new Counting(0, 30);
        DiffusionPipeline p = DiffusionPipeline.of(counting, DiffusionPipelineTest.INFO, 2);
        List<Integer> delivered = new ArrayList<>();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.generate(
                DiffusionPipelineTest.request().optSeeds(0, 6).optBatchSize(1).build(), b -> delivered.add(b.firstImage())));
        assertEquals("model call 30 failed", e.getMessage());
        assertTrue(delivered.size() < 6, delivered.toString());
        for (int k = 0; k < delivered.size(); k++) {
            assertEquals(k, delivered.get(k));
        }
        assertEquals(0, counting.inFlight.get());
        assertNoSamplingThreads();
    }

    @Test
    void cancellingStopsEveryBatch() throws InterruptedException {
        Counting counting = new Counting(2, -1);
        DiffusionPipeline p = DiffusionPipeline.of(counting, DiffusionPipelineTest.INFO, 3);
        GenerationRequest request = DiffusionPipelineTest.request().optSeeds(0, 9).optBatchSize(1)
                .optCancelled(() -> counting.calls.get() >= 20).build();
        assertThrows(CancellationException.class, () -> p.generate(request));
        int afterReturn = counting.calls.get();
        Thread.sleep(50);
        assertEquals(afterReturn, counting.calls.get());
        assertTrue(afterReturn < 9 * 12, afterReturn + " calls");
        assertNoSamplingThreads();
    }

    @Test
    void parallelBatchesBelowOneAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DiffusionPipeline.of(model, DiffusionPipelineTest.INFO, 0));
        assertEquals("parallel batches must be at least 1, found 0", e.getMessage());
    }

    private static void assertNoSamplingThreads() throws InterruptedException {
        for (int tries = 0; tries < 50; tries++) {
            boolean any = Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(t -> t.getName().startsWith("ddpm-batch-") && t.isAlive());
            if (!any) {
                return;
            }
            Thread.sleep(10); // a pool thread can still be unwinding after its last task; it runs no model call
        }
        throw new AssertionError("a ddpm-batch- thread is still alive");
    }
}
