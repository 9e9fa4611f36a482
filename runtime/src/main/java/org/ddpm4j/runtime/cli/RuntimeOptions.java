package org.ddpm4j.runtime.cli;

import org.ddpm4j.runtime.onnx.GraphOptimization;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The ONNX Runtime settings of a command that opens a model session: {@code --device} ({@link DeviceOption}),
 * {@code --threads} ({@link ThreadsOption}) and {@code --optimization}. A picocli mixin.
 */
public final class RuntimeOptions {

    /** The default graph optimisation level. */
    public static final String DEFAULT_OPTIMIZATION = "all";

    @Mixin
    DeviceOption device = new DeviceOption();

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Option(names = "--optimization", paramLabel = "L", defaultValue = DEFAULT_OPTIMIZATION,
            description = "Graph optimisation: none, basic, extended or all (default ${DEFAULT-VALUE}).")
    String optimization = DEFAULT_OPTIMIZATION;

    /** {@code --device} as given. */
    public String device() {
        return device.value();
    }

    /** {@code --threads}, 0 for the engine's choice. */
    public int threads() {
        return threads.value();
    }

    /** {@code --optimization}, parsed. */
    public GraphOptimization optimization() {
        return GraphOptimization.parse(optimization);
    }

    /**
     * {@link OnnxOptions#DEFAULTS} with this device, threads and optimisation level.
     *
     * @throws IllegalArgumentException for an unknown device or level
     */
    public OnnxOptions onnxOptions() {
        return OnnxOptions.DEFAULTS.withDevice(device.device()).withThreads(threads()).withOptimization(optimization());
    }
}
