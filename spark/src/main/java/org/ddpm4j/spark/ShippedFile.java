package org.ddpm4j.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A file the driver names by a location ({@link Locations}: a local path or a Hadoop URI) and ships to every
 * executor once ({@code SparkContext.addFile}) under the name {@code <sha256>.onnx}, so two files of the same
 * name (two models called {@code model.onnx}) never collide, and the same file is added once per context.
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
        Path p = Locations.hadoopPath(location);
        FileSystem fs = p.getFileSystem(hadoop);
        if (!fs.isFile(p)) {
            throw new NoSuchFileException(location, null, what + " not found (expected a file)");
        }
        Path q = fs.makeQualified(p);
        return new ShippedFile(q, HadoopFiles.sha256(fs, q));
    }

    /** The file's own name (recorded in the PNGs, as {@code ddpm sample} records it). */
    public String fileName() {
        return path.getName();
    }

    /** The name executors find it under ({@code SparkFiles.get(name)}): its SHA-256 and {@code .onnx}. */
    public String shippedName() {
        return sha256 + ".onnx";
    }

    /**
     * Adds it to the context's files, unless a file of its SHA-256 is there already (executors fetch it before
     * their first task). The driver stages a link or copy named {@link #shippedName()} in a temporary folder,
     * removed when the driver exits.
     */
    public void ship(JavaSparkContext sc, Configuration hadoop) throws IOException {
        for (String added : CollectionConverters.asJava(sc.sc().listFiles())) {
            if (added.endsWith("/" + shippedName())) {
                return;
            }
        }
        java.nio.file.Path local = localCopy(hadoop);
        java.nio.file.Path dir = Files.createTempDirectory("ddpm-spark-ship-");
        dir.toFile().deleteOnExit();
        java.nio.file.Path staged = dir.resolve(shippedName());
        try {
            Files.createLink(staged, local);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(local, staged);
        }
        staged.toFile().deleteOnExit();
        sc.addFile(staged.toUri().toString());
    }

    /** A local file with its content: the file itself when it is local, else a temporary copy. */
    public java.nio.file.Path localCopy(Configuration hadoop) throws IOException {
        if ("file".equals(path.toUri().getScheme())) {
            return java.nio.file.Path.of(path.toUri());
        }
        java.nio.file.Path tmp = Files.createTempFile("ddpm-spark-", ".onnx");
        tmp.toFile().deleteOnExit();
        path.getFileSystem(hadoop).copyToLocalFile(false, path, new Path(tmp.toUri()), true);
        return tmp;
    }
}
