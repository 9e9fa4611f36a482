package org.ddpm4j.runtime.cli;

import org.ddpm4j.runtime.onnx.Device;
import picocli.CommandLine.Option;

/**
 * {@code --parallel-batches}: how many batches of one run are sampled at once, each on its own thread through the
 * same ONNX Runtime session. A picocli mixin; {@link #plan} turns it, with {@code --threads} and {@code --device},
 * into the session's intra-op threads and the pipeline's batches at once.
 */
public final class ParallelBatchesOption {

    /** The default: 0, chosen from the threads, the device and the image count ({@link #plan}). */
    public static final int AUTO = 0;

    @Option(names = "--parallel-batches", paramLabel = "N", defaultValue = "" + AUTO,
            description = "Batches sampled at once, each on its own thread (default ${DEFAULT-VALUE}: on the CPU, for"
                    + " 2 or more images, one per thread of --threads, each batch on one intra-op thread; 1: one batch"
                    + " at a time on all --threads).")
    int value = AUTO;

    /** The value as given, {@value #AUTO} for the default choice. */
    public int value() {
        return value;
    }

    /**
     * Intra-op threads per model call and batches at once.
     *
     * @param intraOpThreads  threads of one model call (0: the engine's choice, one per core)
     * @param parallelBatches batches sampled at once
     */
    public record Plan(int intraOpThreads, int parallelBatches) {
    }

    /**
     * The plan for {@code images} images with {@code --threads threads} (0: one per core) on {@code device}. The
     * default, on the CPU with 2 or more images and 2 or more threads: as many batches at once as threads, each
     * call on one thread (on the shipped model, two one-thread calls at once do more than one call on two
     * threads: docs/ARCHITECTURE.md, "Parallel batches"). A GPU, or a single image, gets one batch at a time on
     * all the threads. {@code --parallel-batches N} asks for N batches at once, the threads shared among them.
     *
     * @throws IllegalArgumentException for a negative value
     */
    public Plan plan(int threads, Device device, int images) {
        if (value < 0) {
            throw new IllegalArgumentException("--parallel-batches must be 0 (chosen from --threads) or more, found "
                    + value);
        }
        if (value == 1) {
            return new Plan(threads, 1);
        }
        if (value > 1) {
            return new Plan(threads > 0 ? Math.max(1, threads / value) : 1, value);
        }
        int cores = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        if (device.kind() != Device.Kind.CPU || images < 2 || cores < 2) {
            return new Plan(threads, 1);
        }
        return new Plan(1, Math.min(cores, images));
    }
}
