package org.ddpm4j.runtime.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.ddpm4j.runtime.model.ClassLabels;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.noise.BatchNoise;
import org.ddpm4j.runtime.onnx.OnnxDenoiser;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.sampling.Denoiser;
import org.ddpm4j.runtime.sampling.GuidedDenoiser;
import org.ddpm4j.runtime.sampling.SamplerOptions;
import org.ddpm4j.runtime.sampling.Samplers;
import org.ddpm4j.runtime.sampling.SamplingListener;
import org.ddpm4j.runtime.sampling.TimestepSampler;

/**
 * The embeddable entry point: open a model once, then generate images from it, from as many threads
 * as you like (the sampler keeps no state between runs and the ONNX model is thread-safe).
 *
 * <pre>{@code
 * try (DiffusionPipeline p = DiffusionPipeline.open(Path.of("model.onnx"), OnnxOptions.DEFAULTS)) {
 *     GenerationResult r = p.generate(GenerationRequest.builder()
 *             .optSampler("dpmpp").optSteps(20).optSeeds(7, 16).build());
 *     BufferedImage first = r.image(0);
 * }
 * }</pre>
 * With {@code parallelBatches} above 1 ({@link #open(Path, OnnxOptions, int)}), one request's batches are
 * sampled that many at a time, each on its own thread through the same model. On the CPU with a small model, N
 * batches on one intra-op thread each outrun one batch on N intra-op threads (docs/ARCHITECTURE.md, "Parallel
 * batches"); the images are the same either way, as each image depends on its own seed alone.
 * Everything about the model (schedule, prediction, size, clipping) comes from its metadata. A
 * class-conditional model takes labels and a classifier-free guidance scale:
 * <pre>{@code
 * int sneaker = ClassLabels.of(p.info()).resolve("sneaker");
 * GenerationResult r = p.generate(GenerationRequest.builder()
 *         .optClassLabels(sneaker).optGuidance(3).optSeeds(7, 16).build());
 * }</pre>
 */
public final class DiffusionPipeline implements AutoCloseable {

    private final Denoiser denoiser;
    private final ModelInfo info;
    private final String sha256;
    private final AutoCloseable owned;
    private final int parallelBatches;

    private DiffusionPipeline(Denoiser denoiser, ModelInfo info, String sha256, AutoCloseable owned,
            int parallelBatches) {
        checkParallelBatches(parallelBatches);
        if (denoiser.channels() != info.channels() || denoiser.height() != info.height()
                || denoiser.width() != info.width()) {
            throw new IllegalArgumentException("denoiser is " + denoiser.channels() + "x" + denoiser.height() + "x"
                    + denoiser.width() + " but the model info says " + info.channels() + "x" + info.height() + "x"
                    + info.width());
        }
        this.denoiser = denoiser;
        this.info = info;
        this.sha256 = sha256;
        this.owned = owned;
        this.parallelBatches = parallelBatches;
    }

    /** Opens an ONNX model file (see {@link OnnxDenoiser#open(Path, OnnxOptions)} for the errors). */
    public static DiffusionPipeline open(Path model, OnnxOptions options) throws IOException {
        return of(OnnxDenoiser.open(model, options));
    }

    /**
     * Opens an ONNX model file whose requests run {@code parallelBatches} batches at a time (1: one after
     * another). With N batches at once, give each session call one intra-op thread
     * ({@code options.withThreads(1)}) so that N threads are busy in all.
     *
     * @throws IllegalArgumentException when {@code parallelBatches} is below 1 (before the model is opened)
     */
    public static DiffusionPipeline open(Path model, OnnxOptions options, int parallelBatches) throws IOException {
        checkParallelBatches(parallelBatches);
        return of(OnnxDenoiser.open(model, options), parallelBatches);
    }

    /** Opens an ONNX model held in memory. */
    public static DiffusionPipeline open(byte[] model, String name, OnnxOptions options) throws IOException {
        return of(OnnxDenoiser.open(model, name, options));
    }

    /** Opens an ONNX model held in memory, sampling {@code parallelBatches} batches of a request at a time. */
    public static DiffusionPipeline open(byte[] model, String name, OnnxOptions options, int parallelBatches)
            throws IOException {
        checkParallelBatches(parallelBatches);
        return of(OnnxDenoiser.open(model, name, options), parallelBatches);
    }

    /** A pipeline over an open ONNX model; closing the pipeline closes the model. */
    public static DiffusionPipeline of(OnnxDenoiser model) {
        return of(model, 1);
    }

    /**
     * A pipeline over an open ONNX model that samples {@code parallelBatches} batches of a request at a time;
     * closing the pipeline closes the model.
     */
    public static DiffusionPipeline of(OnnxDenoiser model, int parallelBatches) {
        checkParallelBatches(parallelBatches);
        return new DiffusionPipeline(model, model.info(), model.sha256(), model, parallelBatches);
    }

    private static void checkParallelBatches(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("parallel batches must be at least 1, found " + value);
        }
    }

    /**
     * A pipeline over any denoiser (e.g. the trainer's model), described by {@code info}; closing the
     * pipeline leaves the denoiser open.
     */
    public static DiffusionPipeline of(Denoiser denoiser, ModelInfo info) {
        return new DiffusionPipeline(denoiser, info, null, null, 1);
    }

    /**
     * A pipeline over any denoiser that samples {@code parallelBatches} batches of a request at a time, so from
     * that many threads at once: the denoiser must be safe for that. Closing the pipeline leaves it open.
     */
    public static DiffusionPipeline of(Denoiser denoiser, ModelInfo info, int parallelBatches) {
        checkParallelBatches(parallelBatches);
        return new DiffusionPipeline(denoiser, info, null, null, parallelBatches);
    }

    /** Batches of one request sampled at a time (1: one after another). */
    public int parallelBatches() {
        return parallelBatches;
    }

    /**
     * Images per denoiser call that {@link #generate} uses for the request: its batch size, made smaller when
     * that leaves fewer batches than {@link #parallelBatches()} (64 images at 2 batches at a time: 2 x 32).
     */
    public int batchSize(GenerationRequest request) {
        int n = request.count();
        int lanes = Math.min(parallelBatches, n);
        return lanes > 1 ? Math.min(request.batchSize(), (n + lanes - 1) / lanes) : request.batchSize();
    }

    /** The model's metadata. */
    public ModelInfo info() {
        return info;
    }

    /** The denoiser the pipeline calls. */
    public Denoiser denoiser() {
        return denoiser;
    }

    /** SHA-256 of the model file, or null when the pipeline was built over a plain denoiser. */
    public String modelSha256() {
        return sha256;
    }

    /** The sampler a request runs (the model's schedule and clipping, the request's choices). */
    public TimestepSampler sampler(GenerationRequest request) {
        boolean clip = request.clipOverride() != null ? request.clipOverride() : info.clipSample();
        SamplerOptions options = request.options().withClipSample(clip);
        return Samplers.create(request.sampler(), info.schedule(), request.steps(), options);
    }

    /**
     * Checks a request against the model without computing anything: its sampler and its editing mode
     * (image sizes, the sampler a mode needs).
     *
     * @throws IllegalArgumentException naming what was expected and what was found
     */
    public void check(GenerationRequest request) {
        EditRun.of(request, sampler(request), info);
    }

    /**
     * Denoiser calls per image that {@link #generate} will make for the request (the sampler's steps; fewer for
     * image-to-image, more for inpainting with jumps), after {@link #check}ing it.
     */
    public int modelCalls(GenerationRequest request) {
        return EditRun.of(request, sampler(request), info).calls();
    }

    /**
     * Generates the request's images, batch by batch.
     *
     * @throws java.util.concurrent.CancellationException when {@link GenerationRequest#cancelled()} turns true
     */
    public GenerationResult generate(GenerationRequest request) {
        try {
            return generate(request, batch -> { });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // the listener above throws nothing
        }
    }

    /** Told of each batch, in order, as soon as it and the batches before it are sampled. */
    @FunctionalInterface
    public interface BatchListener {
        /**
         * A finished batch: its images, seeds, labels and frames; {@code batch.firstImage()} is the index of
         * its first image in the whole request. Throwing stops the request (for example at the first
         * failed write), and the exception propagates out of {@link #generate(GenerationRequest, BatchListener)}.
         */
        void onBatch(Batch batch) throws IOException;
    }

    /**
     * One finished batch.
     *
     * @param firstImage the index of its first image in the request
     * @param result     the batch's images as a result of their own (seeds, labels and frames of this batch)
     */
    public record Batch(int firstImage, GenerationResult result) {
    }

    /**
     * Generates the request's images batch by batch, handing each finished batch to {@code listener} on the
     * calling thread, in order (so a caller can write images as they come, and stop at the first failed write).
     * With {@link #parallelBatches()} above 1 the next batches are already sampling while the listener runs; an
     * exception from it stops them at their next step, and none is still running when this method returns.
     * The request's progress callback is then called from the sampling threads, one call at a time.
     *
     * @throws IOException whatever the listener throws
     * @throws java.util.concurrent.CancellationException when {@link GenerationRequest#cancelled()} turns true
     */
    public GenerationResult generate(GenerationRequest request, BatchListener listener) throws IOException {
        long start = System.nanoTime();
        TimestepSampler sampler = sampler(request);
        ClassLabels classes = null;
        if (request.conditional()) {
            if (denoiser.classCount() < 1) {
                throw new IllegalArgumentException("the model is unconditional: it takes no class label and no guidance"
                        + " (found " + request.labels().length + " label(s), guidance " + request.guidance() + ")");
            }
            classes = info.classCount().isPresent() ? ClassLabels.of(info) : null;
            for (long l : request.labels()) {
                if (classes != null) {
                    classes.check(l, true);
                } else if (l > denoiser.classCount()) {
                    throw new IllegalArgumentException("class label " + l + " is out of range: expected 0.."
                            + denoiser.classCount());
                }
            }
        }
        long[] seeds = request.seeds();
        int n = seeds.length;
        int per = info.imageValues();
        EditRun run = EditRun.of(request, sampler, info);
        int steps = run.calls();
        int batchSize = batchSize(request);
        int batches = (n + batchSize - 1) / batchSize;
        long total = (long) batches * steps;
        AtomicLong done = new AtomicLong();
        int[] frameSteps = frameSteps(steps, request.trajectoryEvery());
        List<float[]> frames = new ArrayList<>();
        for (int f = 0; f < frameSteps.length; f++) {
            frames.add(new float[n * per]);
        }
        float[] samples = new float[n * per];
        AtomicBoolean stop = new AtomicBoolean();
        Object progressLock = new Object();
        BatchJob job = (first, b) -> {
            BatchNoise noise = new BatchNoise(Arrays.copyOfRange(seeds, first, first + b));
            float[] x = new float[b * per];
            noise.fill(x);
            int offset = first * per;
            if (frameSteps.length > 0) {
                System.arraycopy(x, 0, frames.get(0), offset, x.length);
            }
            Denoiser model = denoiser;
            if (request.conditional()) {
                long[] labels = new long[b];
                for (int k = 0; k < b; k++) {
                    labels[k] = request.label(first + k);
                }
                model = new GuidedDenoiser(denoiser, labels, request.guidance());
            }
            run.run(model, x, first, noise, new SamplingListener() {
                private int nextFrame = 1;

                @Override
                public void onStep(int step, int totalSteps, int t, float[] current) {
                    if (nextFrame < frameSteps.length && frameSteps[nextFrame] == step) {
                        System.arraycopy(current, 0, frames.get(nextFrame++), offset, current.length);
                    }
                    synchronized (progressLock) { // one call at a time, whichever thread samples
                        request.progress().onProgress(done.incrementAndGet(), total);
                    }
                }

                @Override
                public boolean isCancelled() {
                    return stop.get() || request.cancelled().getAsBoolean();
                }
            });
            return x;
        };
        BatchSink deliver = (first, b, x) -> {
            System.arraycopy(x, 0, samples, first * per, x.length);
            listener.onBatch(new Batch(first, batchResult(request, sampler, frameSteps, frames, x, first, b, per,
                    System.nanoTime() - start)));
        };
        int lanes = Math.min(parallelBatches, batches);
        if (lanes <= 1) {
            for (int first = 0; first < n; first += batchSize) {
                int b = Math.min(batchSize, n - first);
                deliver.accept(first, b, job.run(first, b));
            }
        } else {
            runInParallel(job, lanes, n, batchSize, stop, deliver);
        }
        return new GenerationResult(samples, info.channels(), info.height(), info.width(), seeds, run.describe(),
                sampler.steps(), frameSteps, frames, Duration.ofNanos(System.nanoTime() - start),
                perImageLabels(request, n), info.classNames(), request.guidance());
    }

    /** Samples images {@code first .. first + b - 1} and returns them. */
    private interface BatchJob {
        float[] run(int first, int b);
    }

    /** Takes a finished batch, in order, on the calling thread. */
    private interface BatchSink {
        void accept(int first, int b, float[] x) throws IOException;
    }

    private static final AtomicInteger LANE_THREADS = new AtomicInteger();

    /**
     * Runs the batches on {@code lanes} threads and hands each to {@code sink} on this thread, in order, as soon as it
     * and every batch before it are done. A failure of a batch or of the sink stops the rest (their samplers see
     * {@code stop} at the next step), and no sampling thread is left running when this returns or throws.
     */
    private static void runInParallel(BatchJob job, int lanes, int n, int batchSize, AtomicBoolean stop, BatchSink sink)
            throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(lanes, r -> {
            Thread t = new Thread(r, "ddpm-batch-" + LANE_THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        List<Future<float[]>> futures = new ArrayList<>();
        boolean finished = false;
        try {
            for (int first = 0; first < n; first += batchSize) {
                int f = first;
                int b = Math.min(batchSize, n - first);
                futures.add(pool.submit(() -> job.run(f, b)));
            }
            for (int i = 0; i < futures.size(); i++) {
                int first = i * batchSize;
                float[] x;
                try {
                    x = futures.get(i).get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException r) {
                        throw r;
                    }
                    if (cause instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(cause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancellationException("interrupted while sampling");
                }
                sink.accept(first, Math.min(batchSize, n - first), x);
            }
            finished = true;
        } finally {
            if (!finished) {
                stop.set(true);
                futures.forEach(f -> f.cancel(false));
            }
            pool.shutdown();
            boolean interrupted = false;
            while (true) {
                try {
                    if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    interrupted = true; // the model must not be closed under a running batch: wait on
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Images {@code first .. first + count - 1} of a request as a result of their own. */
    private GenerationResult batchResult(GenerationRequest request, TimestepSampler sampler, int[] frameSteps,
            List<float[]> frames, float[] x, int first, int count, int per, long nanos) {
        List<float[]> batchFrames = new ArrayList<>();
        for (float[] f : frames) {
            batchFrames.add(Arrays.copyOfRange(f, first * per, (first + count) * per));
        }
        long[] labels = perImageLabels(request, request.count());
        return new GenerationResult(x.clone(), info.channels(), info.height(), info.width(),
                Arrays.copyOfRange(request.seeds(), first, first + count), sampler.toString(), sampler.steps(),
                frameSteps, batchFrames, Duration.ofNanos(nanos),
                labels == null ? null : Arrays.copyOfRange(labels, first, first + count), info.classNames(),
                request.guidance());
    }

    private static long[] perImageLabels(GenerationRequest request, int n) {
        if (!request.conditional()) {
            return null;
        }
        long[] out = new long[n];
        for (int k = 0; k < n; k++) {
            out[k] = request.label(k);
        }
        return out;
    }

    /** 0, k, 2k, ... and the last step; empty when k is 0. */
    static int[] frameSteps(int steps, int every) {
        if (every <= 0) {
            return new int[0];
        }
        List<Integer> out = new ArrayList<>();
        for (int s = 0; s < steps; s += every) {
            out.add(s);
        }
        out.add(steps);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Closes the ONNX model when the pipeline opened it. */
    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the model failed: " + e.getMessage(), e);
            }
        }
    }
}
