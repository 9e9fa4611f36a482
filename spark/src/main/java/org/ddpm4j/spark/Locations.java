package org.ddpm4j.spark;

import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;

/**
 * How the command line's locations become Hadoop paths: a string with a scheme ({@code hdfs://nn/x},
 * {@code s3a://bucket/x}, {@code file:/x}) is a URI; anything else is a local path, taken literally (spaces,
 * non-ASCII letters and {@code %} are characters of the name, not URI escapes) and made absolute against the
 * working folder.
 */
public final class Locations {

    /** A URI: a scheme of two or more characters, then {@code :/} (so {@code C:\x} and {@code a:b} are paths). */
    private static final Pattern URI = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]+:/.*");

    private Locations() {
    }

    /** Whether {@code location} is written as a URI (a scheme, then {@code :/}). */
    public static boolean isUri(String location) {
        return URI.matcher(location).matches();
    }

    /**
     * The Hadoop path of {@code location}: the URI as written, or the local file of that name.
     *
     * @throws IllegalArgumentException for an empty location
     */
    public static Path hadoopPath(String location) {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("expected a path or a URI, found an empty string");
        }
        if (isUri(location)) {
            return new Path(location);
        }
        return local(java.nio.file.Path.of(location));
    }

    /** How a path is shown to users: a local file as its path, anything else as its URI. */
    public static String display(Path p) {
        return "file".equals(p.toUri().getScheme()) ? p.toUri().getPath() : p.toString();
    }

    /** The Hadoop path of a local file (absolute, normalised; its name taken literally). */
    public static Path local(java.nio.file.Path file) {
        String abs = file.toAbsolutePath().normalize().toString();
        return new Path("file", null, abs);
    }
}
