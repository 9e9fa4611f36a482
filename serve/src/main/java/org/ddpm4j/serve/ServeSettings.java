package org.ddpm4j.serve;

import java.nio.file.Path;
import java.time.Duration;
import org.ddpm4j.runtime.onnx.OnnxOptions;

/**
 * How {@code ddpm serve} runs: the model, where it listens, how it batches, and its limits.
 *
 * @param model               the ONNX model file
 * @param host                the address to bind ({@code 0.0.0.0} for all)
 * @param port                the port (0 = any free port)
 * @param onnx                ONNX Runtime options (device, threads)
 * @param maxBatch            images per merged batch (1 = no batching)
 * @param maxDelay            how long a batch that is not full waits for more once the model is free
 * @param maxImages           images one request may ask for
 * @param maxSteps            denoiser steps one request may ask for
 * @param queueImages         images that may wait (queued, not yet running); more are refused with 503
 * @param requestTimeout      a request not answered by then is dropped with 503
 * @param maxBodyBytes        request bodies over this size get 413
 */
public record ServeSettings(Path model, String host, int port, OnnxOptions onnx, int maxBatch, Duration maxDelay,
        int maxImages, int maxSteps, int queueImages, Duration requestTimeout, long maxBodyBytes) {

    /** Default images per merged batch. */
    public static final int DEFAULT_MAX_BATCH = 16;
    /** Default wait for a batch to fill, in milliseconds. */
    public static final int DEFAULT_MAX_DELAY_MS = 20;
    /** Default cap on images per request. */
    public static final int DEFAULT_MAX_IMAGES = 64;
    /** Default cap on steps per request. */
    public static final int DEFAULT_MAX_STEPS = 100;
    /** Default queue bound, in images. */
    public static final int DEFAULT_QUEUE_IMAGES = 256;
    /** Default request timeout, in seconds. */
    public static final int DEFAULT_TIMEOUT_S = 120;
    /** Default body size limit, in bytes. */
    public static final long DEFAULT_MAX_BODY_BYTES = 16 * 1024;

    public ServeSettings {
        if (model == null) {
            throw new IllegalArgumentException("a model file is needed");
        }
        check("--port", port, 0, 65535);
        check("--max-batch", maxBatch, 1, 4096);
        check("--max-images", maxImages, 1, 100_000);
        check("--max-steps", maxSteps, 1, 100_000);
        check("--queue", queueImages, 1, 10_000_000);
        if (maxDelay.isNegative()) {
            throw new IllegalArgumentException("--max-delay must be >= 0 ms, found " + maxDelay.toMillis());
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("--timeout must be > 0 s, found " + requestTimeout.toSeconds());
        }
        if (maxBodyBytes < 256) {
            throw new IllegalArgumentException("--max-body must be at least 256 bytes, found " + maxBodyBytes);
        }
        if (queueImages < maxImages) {
            throw new IllegalArgumentException("--queue (" + queueImages + " images) must hold at least one request of"
                    + " --max-images (" + maxImages + ")");
        }
    }

    /** The defaults for {@code model}, on a free port of the loopback address. */
    public static ServeSettings defaults(Path model) {
        return new ServeSettings(model, "127.0.0.1", 0, OnnxOptions.DEFAULTS, DEFAULT_MAX_BATCH,
                Duration.ofMillis(DEFAULT_MAX_DELAY_MS), DEFAULT_MAX_IMAGES, DEFAULT_MAX_STEPS, DEFAULT_QUEUE_IMAGES,
                Duration.ofSeconds(DEFAULT_TIMEOUT_S), DEFAULT_MAX_BODY_BYTES);
    }

    /** A copy with another batch size and delay. */
    public ServeSettings withBatching(int batch, Duration delay) {
        return new ServeSettings(model, host, port, onnx, batch, delay, maxImages, maxSteps, queueImages,
                requestTimeout, maxBodyBytes);
    }

    /** A copy with other request limits. */
    public ServeSettings withLimits(int images, int steps, int queue, Duration timeout) {
        return new ServeSettings(model, host, port, onnx, maxBatch, maxDelay, images, steps, queue, timeout,
                maxBodyBytes);
    }

    /** A copy with other ONNX Runtime options. */
    public ServeSettings withOnnx(OnnxOptions value) {
        return new ServeSettings(model, host, port, value, maxBatch, maxDelay, maxImages, maxSteps, queueImages,
                requestTimeout, maxBodyBytes);
    }

    /** A copy listening elsewhere. */
    public ServeSettings withAddress(String h, int p) {
        return new ServeSettings(model, h, p, onnx, maxBatch, maxDelay, maxImages, maxSteps, queueImages,
                requestTimeout, maxBodyBytes);
    }

    private static void check(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " must be in " + min + ".." + max + ", found " + value);
        }
    }
}
