package org.ddpm4j.serve;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntSupplier;

/**
 * The service's counters, rendered in the Prometheus text format (version 0.0.4) for {@code GET /metrics}:
 * queue depth, batch sizes, batch and request latency, images served, requests by status and rejections
 * by reason. Thread-safe.
 */
public final class ServeMetrics {

    private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128};
    private static final double[] SECONDS_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final Histogram batchImages = new Histogram(BATCH_BUCKETS);
    private final Histogram batchSeconds = new Histogram(SECONDS_BUCKETS);
    private final Histogram requestSeconds = new Histogram(SECONDS_BUCKETS);
    private final AtomicLong imagesServed = new AtomicLong();
    private final AtomicLong cancelledBatches = new AtomicLong();
    private final Map<String, AtomicLong> rejections = new TreeMap<>();
    private final Map<Integer, AtomicLong> responses = new TreeMap<>();
    private volatile IntSupplier queueDepth = () -> 0;
    private volatile IntSupplier runningImages = () -> 0;

    /** Where the queue depth and running images are read from. */
    public void gauges(IntSupplier queued, IntSupplier running) {
        this.queueDepth = queued;
        this.runningImages = running;
    }

    /** A batch of {@code images} ran in {@code nanos}. */
    public void batch(int images, long nanos) {
        batchImages.observe(images);
        batchSeconds.observe(nanos / 1e9);
    }

    /** A batch stopped because all its requests were cancelled. */
    public void cancelledBatch(int images) {
        cancelledBatches.incrementAndGet();
    }

    /** A request answered with {@code status} after {@code nanos}, with {@code images} images. */
    public void response(int status, long nanos, int images) {
        counter(responses, status).incrementAndGet();
        if (status == 200) {
            requestSeconds.observe(nanos / 1e9);
            imagesServed.addAndGet(images);
        }
    }

    /** A request refused for {@code reason} (bad_request, queue_full, timeout, shutting_down, too_large...). */
    public void rejection(String reason) {
        counter(rejections, reason).incrementAndGet();
    }

    private static <K> AtomicLong counter(Map<K, AtomicLong> map, K key) {
        synchronized (map) {
            return map.computeIfAbsent(key, k -> new AtomicLong());
        }
    }

    /** The Prometheus text exposition of every metric. */
    public String render() {
        StringBuilder b = new StringBuilder();
        gauge(b, "ddpm_queue_images", "Images waiting in the queue (not yet in a batch).", queueDepth.getAsInt());
        gauge(b, "ddpm_running_images", "Images in the batch now running.", runningImages.getAsInt());
        batchImages.render(b, "ddpm_batch_images", "Images per merged batch (one reverse loop each).");
        batchSeconds.render(b, "ddpm_batch_seconds", "Time of one merged batch's reverse loop.");
        requestSeconds.render(b, "ddpm_request_seconds", "Time from a request's arrival to its images (successes).");
        b.append("# HELP ddpm_images_served_total Images returned to clients.\n");
        b.append("# TYPE ddpm_images_served_total counter\n");
        b.append("ddpm_images_served_total ").append(imagesServed.get()).append('\n');
        b.append("# HELP ddpm_cancelled_batches_total Batches stopped because every request in them was cancelled.\n");
        b.append("# TYPE ddpm_cancelled_batches_total counter\n");
        b.append("ddpm_cancelled_batches_total ").append(cancelledBatches.get()).append('\n');
        b.append("# HELP ddpm_rejections_total Requests refused, by reason.\n");
        b.append("# TYPE ddpm_rejections_total counter\n");
        synchronized (rejections) {
            rejections.forEach((k, v) -> b.append("ddpm_rejections_total{reason=\"").append(k).append("\"} ")
                    .append(v.get()).append('\n'));
        }
        b.append("# HELP ddpm_responses_total Responses to POST /v1/images, by status.\n");
        b.append("# TYPE ddpm_responses_total counter\n");
        synchronized (responses) {
            responses.forEach((k, v) -> b.append("ddpm_responses_total{status=\"").append(k).append("\"} ")
                    .append(v.get()).append('\n'));
        }
        return b.toString();
    }

    private static void gauge(StringBuilder b, String name, String help, long value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(" gauge\n");
        b.append(name).append(' ').append(value).append('\n');
    }

    /** A cumulative histogram with fixed upper bounds. */
    private static final class Histogram {
        private final double[] bounds;
        private final AtomicLongArray counts;
        private final AtomicLong count = new AtomicLong();
        private final java.util.concurrent.atomic.DoubleAdder sum = new java.util.concurrent.atomic.DoubleAdder();

        Histogram(double[] bounds) {
            this.bounds = bounds;
            this.counts = new AtomicLongArray(bounds.length);
        }

        void observe(double value) {
            for (int i = 0; i < bounds.length; i++) {
                if (value <= bounds[i]) {
                    counts.incrementAndGet(i);
                }
            }
            count.incrementAndGet();
            sum.add(value);
        }

        void render(StringBuilder b, String name, String help) {
            b.append("# HELP ").append(name).append(' ').append(help).append('\n');
            b.append("# TYPE ").append(name).append(" histogram\n");
            for (int i = 0; i < bounds.length; i++) {
                b.append(name).append("_bucket{le=\"").append(format(bounds[i])).append("\"} ").append(counts.get(i))
                        .append('\n');
            }
            b.append(name).append("_bucket{le=\"+Inf\"} ").append(count.get()).append('\n');
            b.append(name).append("_sum ").append(format(sum.sum())).append('\n');
            b.append(name).append("_count ").append(count.get()).append('\n');
        }

        private static String format(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
        }
    }
}
