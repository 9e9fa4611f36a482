package org.ddpm4j.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ddpm4j.runtime.io.AtomicFiles;

/**
 * Checks of where a command will write, made before any long work, so that a bad {@code --out} fails in
 * a second rather than after minutes of sampling or exporting.
 */
public final class OutputChecks {

    private OutputChecks() {
    }

    /**
     * {@code dir} must be a folder we can write in: created when missing.
     *
     * @throws IllegalArgumentException naming the option and what was found
     */
    public static void writableFolder(String option, Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + " " + dir + " is a file, expected a folder");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + dir + ": cannot create the folder (" + e.getMessage() + ")");
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException(option + " " + dir + " is not writable");
        }
    }

    /**
     * {@code file} must be a file we can write: not a folder, in a folder that exists (or can be created) and
     * is writable, and not an existing file we cannot overwrite.
     *
     * @throws IllegalArgumentException naming the option and what was found
     */
    public static void writableFile(String option, Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(option + " " + file + " is a folder, expected a file name");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            writableFolder(option + " folder", parent);
        }
        if (Files.exists(file) && !Files.isWritable(file)) {
            throw new IllegalArgumentException(option + " " + file + " exists and is not writable");
        }
    }

    /**
     * Deletes the temporary files that a killed run left in {@code dir} ({@link AtomicFiles#removeLeftovers}),
     * and says so in one line on {@code err}.
     */
    public static void removeLeftovers(String command, Path dir, PrintWriter err) throws IOException {
        List<Path> removed = AtomicFiles.removeLeftovers(dir);
        if (!removed.isEmpty()) {
            err.printf("%s: removed %d temporary %s that a stopped run left in %s%n", command, removed.size(),
                    removed.size() == 1 ? "file" : "files", dir);
        }
    }
}
