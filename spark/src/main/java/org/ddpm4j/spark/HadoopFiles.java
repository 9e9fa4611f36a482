package org.ddpm4j.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Files through the Hadoop FileSystem API (local, HDFS, S3A, ...): whole files written to a temporary
 * name and renamed into place, so a reader never sees a partial file, and a retried or speculative task
 * that writes the same (deterministic) file again leaves one copy.
 */
public final class HadoopFiles {

    /** The folder, inside an output folder, that holds files being written; removed when a job ends. */
    public static final String TEMP_FOLDER = "_ddpm-tmp";

    private HadoopFiles() {
    }

    /**
     * The file system of {@code path}; for local paths the raw one, which writes no {@code .crc} side files
     * into the output folder.
     */
    public static FileSystem fileSystem(Path path, Configuration conf) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        return fs instanceof ChecksumFileSystem c ? c.getRawFileSystem() : fs;
    }

    /**
     * Writes {@code bytes} to {@code target}: first to {@code <parent>/_ddpm-tmp/<name>.<tag>}, then renamed
     * over the target (an existing target, for example the same file from an earlier attempt or run, is
     * replaced; on file systems whose rename does not replace, it is deleted first).
     *
     * @param tag unique per writer (for example the Spark task attempt id), so concurrent writers never share a temporary file
     */
    public static void writeAtomically(FileSystem fs, Path target, byte[] bytes, String tag) throws IOException {
        Path tmp = new Path(new Path(target.getParent(), TEMP_FOLDER), target.getName() + "." + tag);
        boolean renamed = false;
        try {
            try (OutputStream out = fs.create(tmp, true)) {
                out.write(bytes);
            }
            renamed = fs.rename(tmp, target);
            if (!renamed && fs.exists(target)) {
                fs.delete(target, false);
                renamed = fs.rename(tmp, target);
            }
            if (!renamed) {
                throw new IOException("cannot rename " + tmp + " to " + target);
            }
        } finally {
            if (!renamed) {
                fs.delete(tmp, false);
            }
        }
    }

    /** SHA-256 of bytes, lower-case hex. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    /** SHA-256 of a file's content, lower-case hex. */
    public static String sha256(FileSystem fs, Path file) throws IOException {
        MessageDigest md = digest();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = fs.open(file)) {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
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
