package org.ddpm4j.runtime.cli;

import picocli.CommandLine.Option;

/** {@code --seed}: the seed of the first image; image k is drawn with seed S + k. A picocli mixin. */
public final class SeedOption {

    /** The default seed. */
    public static final long DEFAULT = 0;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "" + DEFAULT,
            description = "Seed of the first image; image k uses seed S + k (default ${DEFAULT-VALUE}).")
    long value = DEFAULT;

    /** The seed of image 0. */
    public long value() {
        return value;
    }
}
