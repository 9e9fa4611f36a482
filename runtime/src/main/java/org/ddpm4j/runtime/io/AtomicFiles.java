package org.ddpm4j.runtime.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes files atomically: into a temporary file in the same folder, then renamed over the target,
 * so a reader never sees a half-written file and a failure leaves what was there before. Every
 * module writes its outputs (models, checkpoints' files, images, statistics) through this class.
 * Files come out readable by all ({@code rw-r--r--}), like files made by other tools.
 */
public final class AtomicFiles {

    /** Writes the content of a file to a stream. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Fills a temporary file given by path (for writers that need a path, or that check the file
     * before it may replace the target: throwing leaves the target untouched).
     */
    @FunctionalInterface
    public interface PathWriter {
        void write(Path temporary) throws IOException;
    }

    private static final String TEMP_SUFFIX = ".tmp";

    private AtomicFiles() {
    }

    /** {@code .NAME.PID-NNN.tmp} (and {@code .NAME.NNN.tmp}, as written before the writer's PID was added). */
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.(?:(\\d+)-)?\\d+\\.tmp");
    /** How old a temporary file without a PID must be before {@link #removeLeftovers} takes it for abandoned. */
    private static final Duration UNNAMED_WRITER_GRACE = Duration.ofMinutes(1);

    /**
     * Whether {@code file} is one of the temporary files {@link #writeVia} writes ({@code .NAME.PID-NNN.tmp},
     * or {@code .NAME.NNN.tmp} from earlier versions), left behind only when a process was killed before
     * its rename.
     */
    public static boolean isTemporary(Path file) {
        return TEMPORARY.matcher(file.getFileName().toString()).matches();
    }

    /**
     * Deletes the temporary files in {@code dir} (not below it) that a killed writer left: those whose
     * writer's process ID (in the name) is no longer running, and those without one that are over a
     * minute old. A file of a process still running is left alone, so two writers into one folder
     * never delete each other's files.
     *
     * @return the files deleted
     * @throws IOException when {@code dir} cannot be listed
     */
    public static List<Path> removeLeftovers(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> removed = new ArrayList<>();
        Instant unnamedBefore = Instant.now().minus(UNNAMED_WRITER_GRACE);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Matcher m = TEMPORARY.matcher(file.getFileName().toString());
                if (!m.matches() || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                boolean abandoned;
                if (m.group(1) != null) {
                    long pid = Long.parseLong(m.group(1));
                    abandoned = pid != ProcessHandle.current().pid()
                            && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) == false;
                } else {
                    abandoned = Files.getLastModifiedTime(file).toInstant().isBefore(unnamedBefore);
                }
                if (abandoned && Files.deleteIfExists(file)) {
                    removed.add(file);
                }
            }
        }
        return removed;
    }

    /** Writes {@code file} atomically from a stream, creating its folder when needed. */
    public static void write(Path file, Writer writer) throws IOException {
        writeVia(file, tmp -> {
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp))) {
                writer.write(os);
            }
        });
    }

    /** Writes {@code bytes} to {@code file} atomically. */
    public static void write(Path file, byte[] bytes) throws IOException {
        writeVia(file, tmp -> Files.write(tmp, bytes));
    }

    /**
     * Lets {@code writer} fill a temporary file next to {@code file}, then renames it over
     * {@code file}. Whatever the writer throws propagates, and the temporary file is deleted.
     *
     * @throws IOException when {@code file} is a folder, or the folder cannot be written; its message names
     *                     {@code file} (never the temporary file) and the reason
     */
    public static void writeVia(Path file, PathWriter writer) throws IOException {
        Path target = file.toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw new IOException("output path " + file + " is a folder, expected a file name");
        }
        Path dir = target.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName() + "." + ProcessHandle.current().pid() + "-",
                    TEMP_SUFFIX);
            readableByAll(tmp, false);
            writer.write(tmp);
            force(tmp);
            move(tmp, target);
            force(dir);
        } catch (FileSystemException e) {
            throw new IOException("cannot write " + file + ": " + reason(e, dir, tmp), e);
        } catch (IOException e) {
            String message = e.getMessage();
            throw message != null && message.contains(file.toString()) ? e
                    : new IOException("cannot write " + file + ": " + (message == null ? e.toString() : message), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // its folder went away or became a file: the error above already says so
                }
            }
        }
    }

    /**
     * Why a file-system operation failed, in words that name no temporary file: a failure on the temporary
     * file is told as one in its folder, {@code dir}.
     */
    private static String reason(FileSystemException e, Path dir, Path tmp) {
        Path failed = e.getFile() == null ? null : Path.of(e.getFile());
        boolean internal = failed == null || failed.equals(tmp) || (tmp != null && failed.equals(tmp.toAbsolutePath()))
                || failed.getFileName().toString().endsWith(TEMP_SUFFIX);
        String why = e instanceof AccessDeniedException ? "permission denied"
                : e instanceof FileAlreadyExistsException ? "it exists and is not a folder"
                : e instanceof NoSuchFileException ? "no such file or folder"
                : e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
        return (internal ? dir : failed) + ": " + why;
    }

    /**
     * Flushes a file's or a folder's contents to the storage device (fsync), so that a rename that
     * follows cannot reach the disk before the data it publishes. A file system that cannot sync a
     * folder is left alone.
     */
    public static void force(Path path) throws IOException {
        boolean folder = Files.isDirectory(path);
        try (FileChannel ch = FileChannel.open(path, folder ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            if (!folder) {
                throw e;
            }
            // some file systems refuse to open or sync a folder: the file syncs above still hold
        }
    }

    /** Renames {@code from} over {@code to}, atomically where the file system can. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Gives a file {@code rw-r--r--} or a folder {@code rwxr-xr-x} (temporary files are private by
     * default); does nothing on file systems without POSIX permissions.
     */
    public static void readableByAll(Path path, boolean folder) throws IOException {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(folder ? "rwxr-xr-x" : "rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the defaults
        }
    }
}
