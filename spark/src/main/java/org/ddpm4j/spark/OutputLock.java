package org.ddpm4j.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ShutdownHookManager;
import org.ddpm4j.runtime.io.RunFolderLock;

/**
 * One writer per output folder, taken on the driver before any task runs and held until the job ends.
 *
 * <p>On the local file system it is the runtime's {@link RunFolderLock}: an operating-system lock that
 * {@code ddpm sample} takes too, so the two tools exclude each other, and that the system drops with the
 * process however it ends. Hadoop stores (HDFS, S3A, ...) have no such lock: there the driver creates the marker
 * file {@value #MARKER} in the folder without overwrite ({@code FileSystem.create(path, false)}, which fails on
 * HDFS when the file exists), writes its command, process id, host and start time into it, renews its
 * modification time every {@value #RENEW_SECONDS_DEFAULT} seconds while the job runs, and removes it when the
 * job ends, failed or not, or when the driver is stopped by a signal (a shutdown hook). A second job into the folder is refused at once, naming the holder. A marker that a
 * killed driver left behind stays until someone removes it: the refusal says so, and gives the command that
 * removes it, when the holder's process is gone (same host) or the marker was not renewed for
 * {@value #STALE_RENEWALS} renewal periods.
 *
 * <p>S3A's create without overwrite checks for the object and then writes it: two jobs started in the same
 * moment can both pass there, and S3A keeps no modification times to renew, so an S3 marker's age is its start.
 */
public final class OutputLock implements AutoCloseable {

    /** The marker's (and the local lock file's) name in the output folder. */
    public static final String MARKER = RunFolderLock.FILE_NAME;
    /** The Hadoop setting of the marker's renewal period in seconds (tests shorten it). */
    public static final String RENEW_SECONDS_KEY = "ddpm4j.output-lock.renew-seconds";
    /** The default renewal period in seconds. */
    public static final int RENEW_SECONDS_DEFAULT = 30;
    /** A marker not renewed for this many periods is called stale in refusals. */
    public static final int STALE_RENEWALS = 4;

    /** The marker's first line: "COMMAND: pid N on host H, since T". */
    private static final Pattern HOLDER = Pattern.compile("^(.*): pid (\\d+) on host (\\S+), since (\\S+)$");

    private final RunFolderLock local;
    private final FileSystem fs;
    private final Path marker;
    private final byte[] content;
    private final ScheduledExecutorService renewer;
    private final Runnable atExit = this::release;

    private OutputLock(RunFolderLock local, FileSystem fs, Path marker, byte[] content, ScheduledExecutorService renewer) {
        this.local = local;
        this.fs = fs;
        this.marker = marker;
        this.content = content;
        this.renewer = renewer;
    }

    /**
     * Takes the output folder {@code out} (already checked by {@link OutputFolder#prepare}) for {@code command}.
     *
     * @param option      the option that named the folder, for messages (e.g. {@code --out})
     * @param command     the command that writes there (e.g. {@code ddpm-spark sample})
     * @param application the Spark application id, written into the marker with the command (null: none)
     * @throws OutputInUseException     when another writer holds it, or a stale marker is in the way
     * @throws IllegalArgumentException when the marker cannot be written
     */
    public static OutputLock acquire(String option, OutputFolder out, String command, String application) {
        String where = Locations.display(out.path());
        String holder = application == null ? command : command + " (Spark application " + application + ")";
        if ("file".equals(out.fs().getUri().getScheme())) {
            try {
                return new OutputLock(RunFolderLock.acquire(java.nio.file.Path.of(out.path().toUri().getPath()), holder),
                        null, null, null, null);
            } catch (RunFolderLock.FolderInUseException e) {
                throw new OutputInUseException(option + " " + where + " is in use by " + e.holder() + "; " + command
                        + " writes there only when nothing else does: wait for it to end, stop it, or choose another folder");
            } catch (IOException e) {
                throw new IllegalArgumentException(option + " " + where + " cannot be locked: " + OutputFolder.reason(e), e);
            }
        }
        FileSystem fs = out.fs();
        Path marker = new Path(out.path(), MARKER);
        byte[] content = (holder + ": pid " + ProcessHandle.current().pid() + " on host " + RunFolderLock.hostName() + ", since "
                + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\n").getBytes(StandardCharsets.UTF_8);
        try (OutputStream os = fs.create(marker, false)) {
            os.write(content);
        } catch (FileAlreadyExistsException e) {
            throw refusal(option, where, fs, marker, command, renewSeconds(fs));
        } catch (IOException e) {
            if (exists(fs, marker)) { // some stores say "exists" in their own words
                throw refusal(option, where, fs, marker, command, renewSeconds(fs));
            }
            throw new IllegalArgumentException(option + " " + where + ": cannot create the marker " + marker + " ("
                    + OutputFolder.reason(e) + ")", e);
        }
        int period = renewSeconds(fs);
        ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ddpm4j-output-lock");
            t.setDaemon(true);
            return t;
        });
        renewer.scheduleAtFixedRate(() -> renew(fs, marker), period, period, TimeUnit.SECONDS);
        OutputLock lock = new OutputLock(null, fs, marker, content, renewer);
        // a driver stopped by a signal (Ctrl-C, SIGTERM) removes its marker too: before Hadoop closes its file systems
        ShutdownHookManager.get().addShutdownHook(lock.atExit, FileSystem.SHUTDOWN_HOOK_PRIORITY + 1);
        return lock;
    }

    /** The marker on a Hadoop store (null on the local file system, where the OS lock serves). */
    public Optional<Path> marker() {
        return Optional.ofNullable(marker);
    }

    /** Releases the folder: the OS lock, or the marker (only while it is still this job's). */
    @Override
    public void close() {
        if (local != null) {
            local.close();
            return;
        }
        try {
            ShutdownHookManager.get().removeShutdownHook(atExit);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook releases the folder (release is idempotent)
        }
        release();
    }

    private synchronized void release() {
        if (renewer.isShutdown()) {
            return;
        }
        renewer.shutdownNow();
        try {
            byte[] now;
            try (InputStream in = fs.open(marker)) {
                now = in.readNBytes(4096);
            }
            if (java.util.Arrays.equals(now, content)) {
                fs.delete(marker, false);
            }
        } catch (IOException e) {
            // gone already (removed by hand): nothing to release
        }
    }

    private static void renew(FileSystem fs, Path marker) {
        try {
            fs.setTimes(marker, System.currentTimeMillis(), -1);
        } catch (IOException | RuntimeException e) {
            // the next renewal tries again; a marker left unrenewed only changes the refusal's wording
        }
    }

    private static int renewSeconds(FileSystem fs) {
        int s = fs.getConf() == null ? RENEW_SECONDS_DEFAULT : fs.getConf().getInt(RENEW_SECONDS_KEY, RENEW_SECONDS_DEFAULT);
        return Math.max(1, s);
    }

    private static boolean exists(FileSystem fs, Path p) {
        try {
            return fs.exists(p);
        } catch (IOException e) {
            return false;
        }
    }

    /** The one-line refusal for a folder whose marker exists: the holder, and whether it looks stale. */
    private static OutputInUseException refusal(String option, String where, FileSystem fs, Path marker, String command,
            int renewSeconds) {
        String holder;
        long modified;
        try {
            FileStatus st = fs.getFileStatus(marker);
            modified = st.getModificationTime();
            try (InputStream in = fs.open(marker)) {
                holder = new String(in.readNBytes(4096), StandardCharsets.UTF_8).strip();
            }
        } catch (FileNotFoundException e) {
            return new OutputInUseException(option + " " + where + " was in use a moment ago (its marker " + marker
                    + " has just gone): try again");
        } catch (IOException e) {
            holder = "";
            modified = System.currentTimeMillis();
        }
        int nl = holder.indexOf('\n');
        holder = nl < 0 ? holder : holder.substring(0, nl);
        String remove = removeCommand(marker);
        String stale = staleness(holder, modified, renewSeconds);
        if (holder.isEmpty()) {
            holder = "another job (its marker " + marker + " names no holder yet)";
        }
        if (stale != null) {
            return new OutputInUseException(option + " " + where + " holds a stale marker of " + holder + " (" + stale
                    + "); if no job writes there, remove it with: " + remove);
        }
        return new OutputInUseException(option + " " + where + " is in use by " + holder + "; " + command
                + " writes there only when nothing else does: wait for it to end, stop it, or choose another folder"
                + " (a marker its driver left when killed is removed with: " + remove + ")");
    }

    /** Why a marker looks stale, or null when its holder may be alive. */
    static String staleness(String holder, long modifiedMillis, int renewSeconds) {
        Matcher m = HOLDER.matcher(holder);
        if (m.matches() && m.group(3).equals(RunFolderLock.hostName())) {
            long pid = Long.parseLong(m.group(2));
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                return null; // its process runs on this host
            }
            return "its process " + pid + " on this host is gone";
        }
        Duration age = Duration.ofMillis(System.currentTimeMillis() - modifiedMillis);
        if (age.toSeconds() > (long) STALE_RENEWALS * renewSeconds) {
            return "not renewed for " + human(age) + "; a running job renews it every " + renewSeconds
                    + " s, so its driver was probably killed";
        }
        return null;
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        return s < 120 ? s + " s" : s < 7200 ? (s / 60) + " min" : (s / 3600) + " h";
    }

    /** The shell command that removes {@code marker}. */
    static String removeCommand(Path marker) {
        String uri = marker.toString();
        return ("hdfs".equals(marker.toUri().getScheme()) ? "hdfs dfs -rm " : "hadoop fs -rm ") + shellQuoted(uri);
    }

    private static String shellQuoted(String s) {
        return s.matches("[A-Za-z0-9_./:@%+=,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    /** Another writer holds the output folder, or a stale marker is in the way: the message names it. */
    public static final class OutputInUseException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        OutputInUseException(String message) {
            super(message);
        }
    }
}
