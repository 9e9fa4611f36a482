package org.ddpm4j.tools;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds files the project ships (under {@code models/}) wherever the command is run from: the
 * working folder and its parents first, then the repository the running jar was built in
 * ({@link org.ddpm4j.runtime.io.ShippedFiles}, anchored on the tools module).
 */
final class ShippedFiles {

    private ShippedFiles() {
    }

    /** The shipped file at {@code relative} (e.g. {@code models/fashion-mnist/model.onnx}), if found. */
    static Optional<Path> find(Path relative) {
        return org.ddpm4j.runtime.io.ShippedFiles.find(relative, ShippedFiles.class);
    }

    /** Where {@link #find} looked, for error messages. */
    static String searched(Path relative) {
        return org.ddpm4j.runtime.io.ShippedFiles.searched(ShippedFiles.class);
    }
}
