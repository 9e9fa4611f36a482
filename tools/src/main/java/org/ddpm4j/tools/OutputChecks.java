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
            throw new IllegalArgumentException(option + " " + dir + " is a file, not a folder");
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
     * {@code dir} must be a folder we can write in, or one we can create: checked without creating anything,
     * so that a command refused later leaves no empty folder behind. The nearest folder that exists on the
     * way to {@code dir} must be writable, and nothing on the way may be a file.
     *
     * @throws IllegalArgumentException naming the option and what was found
     */
    public static void folderToCreate(String option, Path dir) {
        if (Files.exists(dir)) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException(option + " " + dir + " is a file, not a folder");
            }
            if (!Files.isWritable(dir)) {
                throw new IllegalArgumentException(option + " " + dir + " is a folder that is not writable");
            }
            return;
        }
        for (Path p = dir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p)) {
                if (!Files.isWritable(p)) {
                    throw new IllegalArgumentException(option + " " + dir + ": cannot create it, " + p
                            + " is not writable");
                }
                return;
            }
            if (Files.exists(p)) {
                throw new IllegalArgumentException(option + " " + dir + ": cannot create it, " + p
                        + " is a file, not a folder");
            }
        }
    }

    /**
     * {@code file} must be a file we can write, or create, without creating anything now: not a folder, not
     * an existing file we cannot overwrite, in a folder that exists and is writable or can be created.
     *
     * @throws IllegalArgumentException naming the option and what was found
     */
    public static void fileToCreate(String option, Path file) {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(option + " " + file + " is a folder, expected a file name");
        }
        if (Files.exists(file) && !Files.isWritable(file)) {
            throw new IllegalArgumentException(option + " " + file + " exists and is not writable");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            folderToCreate(option + " " + file + ": its folder", parent);
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
