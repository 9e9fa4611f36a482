package org.ddpm4j.runtime.onnx;

import java.util.function.Consumer;

/**
 * How to open a model with ONNX Runtime.
 *
 * @param device          cpu, cuda[:id] or auto
 * @param intraOpThreads  threads inside one operator; 0 lets ONNX Runtime choose (one per core)
 * @param optimization    graph optimisation level
 * @param gpuMemLimit     CUDA arena limit in bytes; 0 for no limit
 * @param warnings        where the one-line warnings go (e.g. auto falling back to the CPU)
 * @param customizer      called with the session options after ddpm4j's own settings, before the session is
 *                        created: any execution provider, spinning policy or config entry of the caller's
 */
public record OnnxOptions(Device device, int intraOpThreads, GraphOptimization optimization, long gpuMemLimit,
        Consumer<String> warnings, SessionCustomizer customizer) {

    /** CPU, ONNX Runtime's thread count, all optimisations, warnings to standard error, no customiser. */
    public static final OnnxOptions DEFAULTS = new OnnxOptions(Device.CPU, 0, GraphOptimization.ALL, 0,
            message -> System.err.println(message));

    /** Options without a customiser. */
    public OnnxOptions(Device device, int intraOpThreads, GraphOptimization optimization, long gpuMemLimit,
            Consumer<String> warnings) {
        this(device, intraOpThreads, optimization, gpuMemLimit, warnings, SessionCustomizer.NONE);
    }

    public OnnxOptions {
        if (device == null || optimization == null || warnings == null || customizer == null) {
            throw new IllegalArgumentException("device, optimization, warnings and customizer are required");
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("threads must be >= 0 (0 = ONNX Runtime's default), found "
                    + intraOpThreads);
        }
        if (gpuMemLimit < 0) {
            throw new IllegalArgumentException("gpu memory limit must be >= 0, found " + gpuMemLimit);
        }
    }

    public OnnxOptions withDevice(Device value) {
        return new OnnxOptions(value, intraOpThreads, optimization, gpuMemLimit, warnings, customizer);
    }

    public OnnxOptions withThreads(int value) {
        return new OnnxOptions(device, value, optimization, gpuMemLimit, warnings, customizer);
    }

    public OnnxOptions withOptimization(GraphOptimization value) {
        return new OnnxOptions(device, intraOpThreads, value, gpuMemLimit, warnings, customizer);
    }

    public OnnxOptions withGpuMemLimit(long value) {
        return new OnnxOptions(device, intraOpThreads, optimization, value, warnings, customizer);
    }

    public OnnxOptions withWarnings(Consumer<String> value) {
        return new OnnxOptions(device, intraOpThreads, optimization, gpuMemLimit, value, customizer);
    }

    /** These options with a customiser of the ONNX Runtime session options (replacing any earlier one). */
    public OnnxOptions withCustomizer(SessionCustomizer value) {
        return new OnnxOptions(device, intraOpThreads, optimization, gpuMemLimit, warnings, value);
    }
}
