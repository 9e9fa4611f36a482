package org.ddpm4j.runtime.io;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds files the project ships (under {@code models/}) wherever a command runs from: the working folder
 * and its parents first, then the repository that holds the running program's code. That repository is
 * found from an anchor class of the program's own module ({@code <module>/target/<jar>} or
 * {@code <module>/target/classes}, three levels below the root), so {@code ./ddpm} and {@code ./ddpm-spark}
 * both find the same files.
 */
public final class ShippedFiles {

    private ShippedFiles() {
    }

    /** The shipped file at {@code relative} (e.g. {@code models/fashion-mnist/model.onnx}), if found. */
    public static Optional<Path> find(Path relative, Class<?> anchor) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(relative);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return repositoryRoot(anchor).map(r -> r.resolve(relative)).filter(Files::isRegularFile);
    }

    /** Where {@link #find} looked, for error messages. */
    public static String searched(Class<?> anchor) {
        return Path.of("").toAbsolutePath() + " or its parents"
                + repositoryRoot(anchor).map(r -> " nor in " + r).orElse("");
    }

    /** The repository root when {@code anchor} runs from {@code <module>/target/<jar>} or {@code <module>/target/classes}. */
    private static Optional<Path> repositoryRoot(Class<?> anchor) {
        try {
            Path code = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path target = code.getParent();
            return Optional.ofNullable(target == null ? null : target.getParent()).map(Path::getParent);
        } catch (URISyntaxException | SecurityException | NullPointerException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
