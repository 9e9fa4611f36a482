package org.ddpm4j.serve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.runtime.pipeline.GenerationRequest;
import org.ddpm4j.runtime.pipeline.GenerationResult;

/**
 * Merges waiting requests with equal {@link BatchKey}s into one batch of up to {@code maxBatch} images and
 * runs its reverse loop once, on one worker thread. A batch that is not full waits for others at most
 * {@code maxDelay} from when it could have started (its first request's arrival, or the end of the batch
 * before it, whichever is later), so the model idles at most that long per batch; a request larger than
 * the batch is split over several batches. Each image
 * keeps its own seed (its noise and every stochastic step), so its pixels do not depend on what it was
 * batched with. At most {@code queueImages} images wait; beyond that {@link #submit} refuses.
 */
public final class DynamicBatcher implements AutoCloseable {

    /** A request in the queue: its images are handed to batches in order, and it completes when all are drawn. */
    public static final class Job {
        private final ImageRequest request;
        private final long enqueuedNanos;
        private final GenerationResult[] results;
        private final int[] indices;
        private final CompletableFuture<Job> future = new CompletableFuture<>();
        private int next;
        private int done;
        private volatile boolean cancelled;

        Job(ImageRequest request, long enqueuedNanos) {
            this.request = request;
            this.enqueuedNanos = enqueuedNanos;
            this.results = new GenerationResult[request.count()];
            this.indices = new int[request.count()];
        }

        /** The request. */
        public ImageRequest request() {
            return request;
        }

        /** Completes when every image is drawn (or fails, or is cancelled). */
        public CompletableFuture<Job> future() {
            return future;
        }

        /** The result that holds image k, and its index there ({@link #index}). */
        public GenerationResult result(int k) {
            return results[k];
        }

        /** The index of image k in {@link #result}. */
        public int index(int k) {
            return indices[k];
        }

        /** Whether the job was cancelled (timed out, or its client went away). */
        public boolean isCancelled() {
            return cancelled;
        }

        int remaining() {
            return request.count() - next;
        }
    }

    /** The part of a job a batch draws: images {@code [from, from + count)}. */
    private record Slice(Job job, int from, int count) {
    }

    private final DiffusionPipeline pipeline;
    private final int maxBatch;
    private final long maxDelayNanos;
    private final int queueImages;
    private final ServeMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<Job> queue = new ArrayDeque<>();
    private final Thread worker;
    private int queued;
    private int running;
    private long freeSince = System.nanoTime();
    private boolean closed;

    /**
     * Starts the worker thread.
     *
     * @param queueImages the most images that may wait
     */
    public DynamicBatcher(DiffusionPipeline pipeline, int maxBatch, long maxDelayMillis, int queueImages,
            ServeMetrics metrics) {
        this.pipeline = pipeline;
        this.maxBatch = maxBatch;
        this.maxDelayNanos = TimeUnit.MILLISECONDS.toNanos(maxDelayMillis);
        this.queueImages = queueImages;
        this.metrics = metrics;
        this.worker = new Thread(this::loop, "ddpm-serve-batcher");
        this.worker.setDaemon(true);
        this.worker.start();
    }

    /**
     * Queues a request.
     *
     * @throws ApiException 503 when the queue would hold more than its bound, or the batcher is closed
     */
    public Job submit(ImageRequest request) {
        lock.lock();
        try {
            if (closed) {
                throw ApiException.shuttingDown();
            }
            if (queued + request.count() > queueImages) {
                int batchesAhead = (queued + maxBatch - 1) / maxBatch + 1;
                throw ApiException.queueFull("the queue is full: " + queued + " image(s) waiting, " + request.count()
                        + " more would pass the bound of " + queueImages + "; retry later",
                        Math.max(1, Math.min(60, batchesAhead)));
            }
            Job job = new Job(request, System.nanoTime());
            queue.addLast(job);
            queued += request.count();
            changed.signalAll();
            return job;
        } finally {
            lock.unlock();
        }
    }

    /** Cancels a job: its images not yet in a batch leave the queue, and a batch of cancelled jobs alone stops. */
    public void cancel(Job job) {
        lock.lock();
        try {
            job.cancelled = true;
            if (queue.remove(job)) {
                queued -= job.remaining();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        job.future.completeExceptionally(new CancellationException("cancelled"));
    }

    /** Images waiting (queued, not yet in a batch). */
    public int queuedImages() {
        lock.lock();
        try {
            return queued;
        } finally {
            lock.unlock();
        }
    }

    /** Images in the batch now running. */
    public int runningImages() {
        lock.lock();
        try {
            return running;
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        while (true) {
            List<Slice> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) {
                return;
            }
            run(batch);
        }
    }

    /** Waits for work and takes the next batch; null once closed and drained. */
    private List<Slice> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (queue.isEmpty()) {
                    if (closed) {
                        return null;
                    }
                    changed.await();
                    continue;
                }
                Job head = queue.peekFirst();
                int compatible = 0;
                for (Job j : queue) {
                    if (j.request.key().equals(head.request.key())) {
                        compatible += j.remaining();
                    }
                }
                // the delay runs from when the model could have started: the head's arrival, or the end of the
                // last batch if it came while that ran (so a closed loop's requests, returning a few ms apart,
                // meet again in full batches instead of settling into alternating halves)
                long wait = Math.max(head.enqueuedNanos, freeSince) + maxDelayNanos - System.nanoTime();
                if (compatible >= maxBatch || wait <= 0 || closed) {
                    return take(head.request.key());
                }
                changed.awaitNanos(wait);
            }
        } finally {
            lock.unlock();
        }
    }

    private List<Slice> take(BatchKey key) {
        List<Slice> out = new ArrayList<>();
        int taken = 0;
        for (Iterator<Job> it = queue.iterator(); it.hasNext() && taken < maxBatch; ) {
            Job j = it.next();
            if (!j.request.key().equals(key)) {
                continue;
            }
            int n = Math.min(j.remaining(), maxBatch - taken);
            out.add(new Slice(j, j.next, n));
            j.next += n;
            taken += n;
            if (j.remaining() == 0) {
                it.remove();
            }
        }
        queued -= taken;
        running = taken;
        return out;
    }

    private void run(List<Slice> batch) {
        int n = 0;
        for (Slice s : batch) {
            n += s.count;
        }
        long[] seeds = new long[n];
        long[] labels = batch.get(0).job.request.labels() == null ? null : new long[n];
        int at = 0;
        for (Slice s : batch) {
            for (int k = 0; k < s.count; k++) {
                seeds[at] = s.job.request.seed(s.from + k);
                if (labels != null) {
                    labels[at] = s.job.request.label(s.from + k);
                }
                at++;
            }
        }
        BatchKey key = batch.get(0).job.request.key();
        GenerationRequest.Builder b = GenerationRequest.builder().optSampler(key.sampler()).optSteps(key.steps())
                .optSpacing(key.spacing()).optEta(key.eta()).optSeeds(seeds).optBatchSize(n)
                .optCancelled(() -> batch.stream().allMatch(s -> s.job.cancelled));
        if (labels != null) {
            b.optClassLabels(labels).optGuidance(key.guidance());
        }
        long start = System.nanoTime();
        try {
            GenerationResult result = pipeline.generate(b.build());
            metrics.batch(n, System.nanoTime() - start);
            at = 0;
            for (Slice s : batch) {
                for (int k = 0; k < s.count; k++) {
                    s.job.results[s.from + k] = result;
                    s.job.indices[s.from + k] = at++;
                }
                s.job.done += s.count;
                if (s.job.done == s.job.request.count()) {
                    s.job.future.complete(s.job);
                }
            }
        } catch (CancellationException e) {
            metrics.cancelledBatch(n);
            batch.forEach(s -> s.job.future.completeExceptionally(e));
        } catch (RuntimeException | Error e) {
            batch.forEach(s -> s.job.future.completeExceptionally(e));
        } finally {
            lock.lock();
            try {
                running = 0;
                freeSince = System.nanoTime();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Stops taking requests ({@link #submit} refuses from now on), finishes what is queued and running, and
     * waits up to {@code timeoutMillis} for that.
     *
     * @return whether all work finished in time
     */
    public boolean drain(long timeoutMillis) throws InterruptedException {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        worker.join(Math.max(1, timeoutMillis));
        return !worker.isAlive();
    }

    /** Drains with a minute's patience, then stops the worker. */
    @Override
    public void close() {
        try {
            if (!drain(60_000)) {
                worker.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
