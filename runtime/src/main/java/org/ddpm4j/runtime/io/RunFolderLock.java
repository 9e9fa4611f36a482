package org.ddpm4j.runtime.io;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.stream.Stream;

/**
 * One writer per output folder: an operating-system lock ({@link FileChannel#tryLock()}) on the file
 * {@value #FILE_NAME} in the folder, held from {@link #acquire} to {@link #close}. A second process that
 * asks for the same folder is refused at once, with the holder's process id and host, which the holder
 * writes into the lock file. The operating system drops the lock when the holder's process ends, however
 * it ends ({@code kill -9} included), so a stale lock file never blocks anyone: only a live holder does.
 *
 * <p>The lock file stays in the folder after a run (emptied), so that a process waiting on the same
 * file never locks a file that was deleted under it. A folder that {@link #acquire} created and that
 * holds nothing but the lock file when the lock is closed (the command failed before writing anything)
 * is removed again, with the empty parent folders it created for it.
 */
public final class RunFolderLock implements AutoCloseable {

    /** The lock file's name in the folder. */
    public static final String FILE_NAME = ".ddpm.lock";

    private final Path folder;
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final Path created;

    private RunFolderLock(Path folder, Path file, FileChannel channel, FileLock lock, Path created) {
        this.folder = folder;
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.created = created;
    }

    /**
     * Locks {@code folder} for {@code command} (e.g. {@code ddpm train}), creating the folder when missing.
     *
     * @throws FolderInUseException when another process (or another command in this one) holds it
     * @throws IOException          when the folder or the lock file cannot be made
     */
    public static RunFolderLock acquire(Path folder, String command) throws IOException {
        Path created = null; // the topmost folder this lock creates, if any
        for (Path p = folder.toAbsolutePath().normalize(); p != null && !Files.exists(p); p = p.getParent()) {
            created = p;
        }
        Files.createDirectories(folder);
        Path file = folder.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this JVM, through another channel
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot lock " + file + ": " + e.getMessage(), e);
        }
        if (lock == null) {
            String holder = holder(channel);
            channel.close();
            throw new FolderInUseException(folder, command, holder);
        }
        try {
            byte[] me = (command + ": pid " + ProcessHandle.current().pid() + " on host " + hostName() + ", since "
                    + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\n").getBytes(StandardCharsets.UTF_8);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(me), 0);
            channel.force(false);
        } catch (IOException e) {
            lock.release();
            channel.close();
            throw new IOException("cannot write the lock file " + file + ": " + e.getMessage(), e);
        }
        return new RunFolderLock(folder, file, channel, lock, created);
    }

    /** The locked folder. */
    public Path folder() {
        return folder;
    }

    /**
     * Releases the lock. A folder this lock created that holds nothing else is removed with its lock file.
     */
    @Override
    public void close() {
        if (!channel.isOpen()) {
            return;
        }
        try {
            channel.truncate(0);
            if (created != null && onlyTheLockFile()) {
                Files.deleteIfExists(file);
                Path top = created;
                for (Path p = folder.toAbsolutePath().normalize(); p != null && p.startsWith(top); p = p.getParent()) {
                    Files.deleteIfExists(p); // each folder it created, up to the topmost, while empty
                }
            }
        } catch (IOException e) {
            // the folder went away or changed under the run (its own error says so): nothing to tidy
        } finally {
            try {
                lock.release();
            } catch (IOException e) {
                // closing the channel below drops the lock all the same
            }
            try {
                channel.close();
            } catch (IOException e) {
                // nothing left to do: the operating system frees the file with the process
            }
        }
    }

    private boolean onlyTheLockFile() throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.allMatch(p -> p.getFileName().toString().equals(FILE_NAME));
        }
    }

    /** What the holder wrote into the lock file, or a note when it wrote nothing yet. */
    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(512);
            channel.read(buf, 0);
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
            int nl = text.indexOf('\n');
            text = nl < 0 ? text : text.substring(0, nl);
            return text.isEmpty() ? "another process (it has not written its pid yet)" : text;
        } catch (IOException e) {
            return "another process (its lock file is unreadable: " + e.getMessage() + ")";
        }
    }

    /** The host name the lock file names: the kernel's on Linux (no name lookup), else the JDK's. */
    public static String hostName() {
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                String name = Files.readString(kernel, StandardCharsets.UTF_8).strip();
                if (!name.isEmpty()) {
                    return name;
                }
            }
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String name = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
            int at = name.indexOf('@');
            return at < 0 ? "unknown" : name.substring(at + 1);
        }
    }

    /** Another writer holds the folder: the message names it, with its process id and host. */
    public static final class FolderInUseException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        private final transient Path folder;
        private final String holder;

        FolderInUseException(Path folder, String command, String holder) {
            super(folder + " is in use by " + holder + "; " + command + " writes there only when nothing else does:"
                    + " wait for it to end, stop it, or choose another folder");
            this.folder = folder;
            this.holder = holder;
        }

        /** The folder. */
        public Path folder() {
            return folder;
        }

        /** The holder as its lock file names it (command, pid, host, since when). */
        public String holder() {
            return holder;
        }
    }
}
