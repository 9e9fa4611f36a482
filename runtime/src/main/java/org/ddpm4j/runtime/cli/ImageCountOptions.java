package org.ddpm4j.runtime.cli;

import picocli.CommandLine.Option;

/** How many images a sampling command draws ({@code -n}) and how many go through one denoiser call. A picocli mixin. */
public final class ImageCountOptions {

    /** The default number of images. */
    public static final int DEFAULT_COUNT = 16;
    /** The default number of images per denoiser call. */
    public static final int DEFAULT_BATCH = 16;

    @Option(names = {"-n", "--count"}, paramLabel = "N", defaultValue = "" + DEFAULT_COUNT,
            description = "Images (default ${DEFAULT-VALUE}).")
    int count = DEFAULT_COUNT;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "" + DEFAULT_BATCH,
            description = "Images per denoiser call (default ${DEFAULT-VALUE}).")
    int batch = DEFAULT_BATCH;

    /** {@code -n}: the number of images (checked by the command). */
    public int count() {
        return count;
    }

    /** {@code --batch}: images per denoiser call (checked by the command). */
    public int batch() {
        return batch;
    }
}
