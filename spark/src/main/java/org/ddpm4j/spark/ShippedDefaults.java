package org.ddpm4j.spark;

import java.nio.file.Path;
import java.util.Optional;
import org.ddpm4j.runtime.io.ShippedFiles;

/**
 * The files the project ships under {@code models/} (the default model and feature extractor), found as
 * {@code ./ddpm} finds them: in the working folder or one of its parents, then in the repository that
 * holds the running jar ({@code spark/target/ddpm4j-spark.jar} or {@code spark/target/classes}).
 */
public final class ShippedDefaults {

    /** The shipped model, {@code ddpm sample}'s default. */
    public static final Path MODEL = Path.of("models", "fashion-mnist", "model.onnx");
    /** The shipped feature extractor, {@code ddpm fid}'s default. */
    public static final Path EXTRACTOR = Path.of("models", "fid", "fashion-mnist-features.onnx");

    private ShippedDefaults() {
    }

    /** The shipped file at {@code relative}, if found. */
    public static Optional<Path> find(Path relative) {
        return ShippedFiles.find(relative, ShippedDefaults.class);
    }

    /**
     * The shipped file at {@code relative}.
     *
     * @param hint what to do instead, for the message (e.g. "pass --model FILE")
     * @throws IllegalArgumentException naming where it was looked for
     */
    public static Path require(Path relative, String hint) {
        return find(relative).orElseThrow(() -> new IllegalArgumentException("the shipped " + relative + " is not in "
                + ShippedFiles.searched(ShippedDefaults.class) + "; " + hint));
    }
}
