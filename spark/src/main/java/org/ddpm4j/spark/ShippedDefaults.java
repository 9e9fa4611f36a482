package org.ddpm4j.spark;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

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
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(relative);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return repositoryRoot().map(r -> r.resolve(relative)).filter(Files::isRegularFile);
    }

    /**
     * The shipped file at {@code relative}.
     *
     * @param hint what to do instead, for the message (e.g. "pass --model FILE")
     * @throws IllegalArgumentException naming where it was looked for
     */
    public static Path require(Path relative, String hint) {
        return find(relative).orElseThrow(() -> new IllegalArgumentException("the shipped " + relative + " is not in "
                + Path.of("").toAbsolutePath() + " or its parents"
                + repositoryRoot().map(r -> " nor in " + r).orElse("") + "; " + hint));
    }

    /** The repository root when running from {@code spark/target/<jar>} or {@code spark/target/classes}. */
    private static Optional<Path> repositoryRoot() {
        try {
            Path code = Path.of(ShippedDefaults.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path target = code.getParent();
            return Optional.ofNullable(target == null ? null : target.getParent()).map(Path::getParent);
        } catch (URISyntaxException | SecurityException | NullPointerException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
