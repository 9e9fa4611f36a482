package org.ddpm4j.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A file the driver names by a Hadoop path (local, HDFS, S3A, ...) and ships to every executor once
 * ({@code SparkContext.addFile}), with its SHA-256, which keys the executors' sessions.
 *
 * @param path   the qualified path
 * @param sha256 SHA-256 of its content
 */
public record ShippedFile(Path path, String sha256) {

    /**
     * Checks that {@code location} is a file and hashes it.
     *
     * @param what what the file is, for the error message
     * @throws NoSuchFileException when it is not a file
     */
    public static ShippedFile of(String location, String what, Configuration hadoop) throws IOException {
        Path p = new Path(location);
        FileSystem fs = p.getFileSystem(hadoop);
        if (!fs.isFile(p)) {
            throw new NoSuchFileException(location, null, what + " not found (expected a file)");
        }
        Path q = fs.makeQualified(p);
        return new ShippedFile(q, HadoopFiles.sha256(fs, q));
    }

    /** The file name executors find it under ({@code SparkFiles.get(name)}). */
    public String name() {
        return path.getName();
    }

    /** Adds it to the context's files (once per context; executors fetch it before their first task). */
    public void ship(JavaSparkContext sc) {
        sc.addFile(path.toString());
    }

    /** A local file with its content: the file itself when it is local, else a temporary copy. */
    public java.nio.file.Path localCopy(Configuration hadoop) throws IOException {
        if ("file".equals(path.toUri().getScheme())) {
            return java.nio.file.Path.of(path.toUri());
        }
        java.nio.file.Path tmp = Files.createTempFile("ddpm-spark-", "-" + name());
        tmp.toFile().deleteOnExit();
        path.getFileSystem(hadoop).copyToLocalFile(false, path, new Path(tmp.toUri()), true);
        return tmp;
    }
}
