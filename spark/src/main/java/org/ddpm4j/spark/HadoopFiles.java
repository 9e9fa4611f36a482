package org.ddpm4j.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/**
 * Whole files through the Hadoop FileSystem API (local, HDFS, S3A, ...), written so that a reader never sees
 * a partial file and a good file is never deleted.
 *
 * <p>A file is written to {@code <parent>/_ddpm-tmp/<name>.<tag>} (one temporary name per writer) and renamed
 * onto its target. Stores differ where the target exists: the local file system replaces it, HDFS's rename
 * returns false, others throw {@link FileAlreadyExistsException}. Then the target is compared with the bytes
 * this writer holds: the same bytes (a retried or speculative attempt of a task whose output is a function of
 * its settings and seeds) mean the work is done, and the writer drops its own temporary file; other bytes (a
 * file of an earlier run with other settings) are replaced by a rename with overwrite, atomic on HDFS. The
 * target itself is never deleted, so a writer killed at any point leaves the good file or none, never a gap.
 *
 * <p>On stores whose create is atomic on close (S3A: an object appears whole or not at all, and a rename is a
 * copy), files are written to their final name directly; the schemes are {@value #DIRECT_SCHEMES_DEFAULT} unless
 * the Hadoop setting {@value #DIRECT_SCHEMES_KEY} (Spark: {@code spark.hadoop.ddpm4j.direct-write.schemes}) names
 * others.
 */
public final class HadoopFiles {

    /** The folder, inside an output folder, that holds files being written; removed when a job ends. */
    public static final String TEMP_FOLDER = "_ddpm-tmp";
    /** The Hadoop setting that lists the schemes written directly, comma-separated. */
    public static final String DIRECT_SCHEMES_KEY = "ddpm4j.direct-write.schemes";
    /** The schemes written directly by default. */
    public static final String DIRECT_SCHEMES_DEFAULT = "s3a";

    private HadoopFiles() {
    }

    /** What {@link #writeAtomically} did. */
    public enum Outcome {
        /** The file was renamed (or written directly) into place. */
        WRITTEN,
        /** The target already held the same bytes; this writer's temporary file was dropped. */
        ALREADY_THERE,
        /** The target held other bytes and was replaced by a rename with overwrite. */
        REPLACED
    }

    /**
     * The file system of {@code path}; for local paths the raw one, which writes no {@code .crc} side files
     * into the output folder.
     */
    public static FileSystem fileSystem(Path path, Configuration conf) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        return fs instanceof ChecksumFileSystem c ? c.getRawFileSystem() : fs;
    }

    /** The temporary name of {@code target} for the writer {@code tag}: in its folder's {@value #TEMP_FOLDER}. */
    public static Path temporary(Path target, String tag) {
        return new Path(new Path(target.getParent(), TEMP_FOLDER), target.getName() + "." + tag);
    }

    /**
     * Writes {@code bytes} to {@code target} (see the class comment) through the temporary file
     * {@link #temporary(Path, String)}: never a partial target, never a good one deleted.
     *
     * @param tag unique per writer (for example the Spark task attempt id), so concurrent writers never share a
     *            temporary file
     * @throws IOException naming the target when it cannot be written
     */
    public static Outcome writeAtomically(FileSystem fs, Path target, byte[] bytes, String tag) throws IOException {
        return writeAtomically(fs, target, bytes, temporary(target, tag));
    }

    /** As {@link #writeAtomically(FileSystem, Path, byte[], String)}, through the temporary file {@code tmp}. */
    public static Outcome writeAtomically(FileSystem fs, Path target, byte[] bytes, Path tmp) throws IOException {
        try (PendingFile f = PendingFile.create(fs, target, tmp)) {
            f.out().write(bytes);
            return f.commit();
        }
    }

    /**
     * A file being written: its bytes go to a temporary file (or, on stores written directly, to the target) and
     * {@link #commit()} puts it in place; closed without a commit, it is dropped.
     */
    public static final class PendingFile implements AutoCloseable {
        private final FileSystem fs;
        private final Path target;
        private final Path tmp;
        private final FSDataOutputStream out;
        private boolean closed;
        private boolean committed;

        private PendingFile(FileSystem fs, Path target, Path tmp, FSDataOutputStream out) {
            this.fs = fs;
            this.target = target;
            this.tmp = tmp;
            this.out = out;
        }

        /**
         * Starts writing {@code target} through {@code tmp} (ignored on stores written directly).
         *
         * @throws IOException naming the target when the file cannot be created
         */
        public static PendingFile create(FileSystem fs, Path target, Path tmp) throws IOException {
            boolean direct = writesDirectly(fs);
            try {
                return new PendingFile(fs, target, direct ? null : tmp, fs.create(direct ? target : tmp, true));
            } catch (IOException e) {
                throw new IOException("cannot write " + target + ": " + OutputFolder.reason(e), e);
            }
        }

        /** Where to write the content. */
        public OutputStream out() {
            return out;
        }

        /** Closes the stream and puts the file in place (see the class comment of {@link HadoopFiles}). */
        public Outcome commit() throws IOException {
            closed = true;
            try {
                out.close();
            } catch (IOException e) {
                close();
                throw new IOException("cannot write " + target + ": " + OutputFolder.reason(e), e);
            }
            committed = true;
            if (tmp == null) {
                return Outcome.WRITTEN;
            }
            boolean tmpGone = false;
            try {
                // Hadoop's rename moves a file INTO a folder of the target's name and returns true: refuse first
                FileStatus before = status(fs, target);
                if (before != null && before.isDirectory()) {
                    throw new IOException("cannot write " + target + ": a folder of that name exists");
                }
                if (rename(fs, tmp, target)) {
                    tmpGone = true;
                    return Outcome.WRITTEN;
                }
                FileStatus existing = status(fs, target);
                if (existing == null && !fs.exists(target.getParent()) && fs.exists(tmp)) {
                    fs.mkdirs(target.getParent()); // HDFS renames into existing folders only
                    if (rename(fs, tmp, target)) {
                        tmpGone = true;
                        return Outcome.WRITTEN;
                    }
                    existing = status(fs, target);
                }
                if (existing == null) {
                    if (!fs.exists(tmp)) {
                        throw new IOException("cannot write " + target + ": its temporary file vanished before the"
                                + " rename (the job ended, or its output folder was removed, while this task ran)");
                    }
                    throw new IOException("cannot write " + target + ": the rename into place failed");
                }
                if (existing.isDirectory()) {
                    throw new IOException("cannot write " + target + ": a folder of that name exists");
                }
                if (existing.getLen() == fs.getFileStatus(tmp).getLen()
                        && Arrays.equals(digestOf(fs, tmp), digestOf(fs, target))) {
                    return Outcome.ALREADY_THERE; // another attempt wrote the same file: keep it, drop ours
                }
                renameOverwriting(fs, tmp, target);
                tmpGone = true;
                return Outcome.REPLACED;
            } finally {
                if (!tmpGone) {
                    deleteQuietly(fs, tmp);
                }
            }
        }

        /** Drops the file unless it was committed. */
        @Override
        public void close() {
            if (committed) {
                return;
            }
            committed = true;
            if (!closed) {
                closed = true;
                try {
                    if (tmp == null) {
                        abortOrClose(out); // a direct write must not publish a partial object
                    } else {
                        out.close();
                    }
                } catch (IOException | RuntimeException e) {
                    // dropped anyway
                }
            }
            if (tmp != null) {
                deleteQuietly(fs, tmp);
            }
        }
    }

    private static void abortOrClose(FSDataOutputStream out) throws IOException {
        try {
            out.abort();
        } catch (UnsupportedOperationException e) {
            out.close(); // a store that cannot abort keeps what was written
        }
    }

    /** Whether files on {@code fs} are written to their final name (create atomic on close). */
    static boolean writesDirectly(FileSystem fs) {
        String scheme = fs.getUri().getScheme();
        if (scheme == null) {
            return false;
        }
        String list = fs.getConf() == null ? DIRECT_SCHEMES_DEFAULT
                : fs.getConf().get(DIRECT_SCHEMES_KEY, DIRECT_SCHEMES_DEFAULT);
        Set<String> schemes = Arrays.stream(list.split(",")).map(x -> x.trim().toLowerCase(Locale.ROOT))
                .filter(x -> !x.isEmpty()).collect(Collectors.toSet());
        return schemes.contains(scheme.toLowerCase(Locale.ROOT));
    }

    /** A rename that does not replace: false (or {@link FileAlreadyExistsException}) where the target exists. */
    private static boolean rename(FileSystem fs, Path from, Path to) throws IOException {
        try {
            return fs.rename(from, to);
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    /** The store's rename with overwrite (atomic on HDFS; the local file system's rename replaces anyway). */
    private static void renameOverwriting(FileSystem fs, Path from, Path to) throws IOException {
        try {
            FileContext fc = FileContext.getFileContext(fs.getUri(), fs.getConf());
            fc.rename(from, to, Options.Rename.OVERWRITE);
        } catch (UnsupportedOperationException e) {
            throw new IOException("cannot replace " + to + ": it holds another file (an earlier run?) and "
                    + fs.getUri().getScheme() + " cannot rename over it; remove it or write to another folder", e);
        }
    }

    private static FileStatus status(FileSystem fs, Path p) throws IOException {
        try {
            return fs.getFileStatus(p);
        } catch (FileNotFoundException e) {
            return null;
        }
    }

    private static void deleteQuietly(FileSystem fs, Path p) {
        try {
            fs.delete(p, false);
        } catch (IOException e) {
            // the temporary folder goes when the job ends
        }
    }

    /** SHA-256 of bytes, lower-case hex. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    /** SHA-256 of a file's content, lower-case hex. */
    public static String sha256(FileSystem fs, Path file) throws IOException {
        return HexFormat.of().formatHex(digestOf(fs, file));
    }

    private static byte[] digestOf(FileSystem fs, Path file) throws IOException {
        MessageDigest md = digest();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = fs.open(file)) {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                md.update(buf, 0, n);
            }
        }
        return md.digest();
    }

    /** Reads a whole (small) file. */
    public static byte[] readAll(FileSystem fs, Path file) throws IOException {
        try (InputStream in = fs.open(file)) {
            return in.readAllBytes();
        }
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
