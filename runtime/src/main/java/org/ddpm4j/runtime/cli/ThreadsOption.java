package org.ddpm4j.runtime.cli;

import picocli.CommandLine.Option;

/** {@code --threads}: intra-op threads of each model call. A picocli mixin. */
public final class ThreadsOption {

    /** The default: 0, the engine's choice (ONNX Runtime: one per core). */
    public static final int DEFAULT = 0;

    @Option(names = "--threads", paramLabel = "T", defaultValue = "" + DEFAULT,
            description = "Intra-op threads (default ${DEFAULT-VALUE}: one per core).")
    int value = DEFAULT;

    /** The threads, 0 for the engine's choice. */
    public int value() {
        return value;
    }
}
