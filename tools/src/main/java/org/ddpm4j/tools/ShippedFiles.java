package org.ddpm4j.tools;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds files the project ships (under {@code models/}) wherever the command is run from: the
 * working folder and its parents first, then the repository the running jar was built in.
 */
final class ShippedFiles {

    private ShippedFiles() {
    }

    /** The shipped file at {@code relative} (e.g. {@code models/fashion-mnist/model.onnx}), if found. */
    static Optional<Path> find(Path relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(relative);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return repositoryRoot().map(r -> r.resolve(relative)).filter(Files::isRegularFile);
    }

    /** Where {@link #find} looked, for error messages. */
    static String searched(Path relative) {
        return Path.of("").toAbsolutePath() + " or its parents"
                + repositoryRoot().map(r -> " nor in " + r).orElse("");
    }

    /** The repository root when running from {@code tools/target/ddpm4j-tools.jar} or {@code tools/target/classes}. */
    private static Optional<Path> repositoryRoot() {
        try {
            Path code = Path.of(ShippedFiles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path target = code.getParent();
            return Optional.ofNullable(target == null ? null : target.getParent()).map(Path::getParent);
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return Optional.empty();
        }
    }
}
