package org.ddpm4j.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An output folder, checked on the driver before any task runs: not a file, created when missing, and
 * writable (a probe file is created in its temporary folder and removed).
 *
 * @param fs   its file system ({@link HadoopFiles#fileSystem})
 * @param path its qualified path
 */
public record OutputFolder(FileSystem fs, Path path) {

    /**
     * Checks (and creates) the output folder {@code location}.
     *
     * @param option the option that named it, for messages (e.g. {@code --out})
     * @throws IllegalArgumentException naming the folder and what is wrong
     */
    public static OutputFolder prepare(String option, String location, Configuration hadoop) {
        Path p = Locations.hadoopPath(location);
        FileSystem fs;
        try {
            fs = HadoopFiles.fileSystem(p, hadoop);
            p = fs.makeQualified(p);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(option + " " + location + ": no file system for it (" + reason(e) + ")", e);
        }
        try {
            FileStatus st = status(fs, p);
            if (st != null && !st.isDirectory()) {
                throw new IllegalArgumentException(option + " " + location + " is a file, not a folder");
            }
            if (st == null && !fs.mkdirs(p)) {
                throw new IllegalArgumentException(option + " " + location + " cannot be created");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(option + " " + location + " cannot be created: " + reason(e), e);
        }
        Path probe = new Path(new Path(p, HadoopFiles.TEMP_FOLDER), ".probe-" + UUID.randomUUID());
        try {
            try (OutputStream out = fs.create(probe, true)) {
                out.write(0);
            }
            fs.delete(probe, false);
        } catch (IOException e) {
            // the reason names the probe or its folder, internal names: show the output folder instead
            String why = reason(e);
            for (Path internal : new Path[] {probe, probe.getParent()}) {
                why = why.replace(internal.toString(), location).replace(internal.toUri().getPath(), location);
            }
            throw new IllegalArgumentException(option + " " + location + " is not writable: " + why, e);
        }
        try {
            fs.delete(probe.getParent(), false); // only when empty: another writer's files stay
        } catch (IOException e) {
            // not empty, or gone: either is fine
        }
        return new OutputFolder(fs, p);
    }

    private static FileStatus status(FileSystem fs, Path p) throws IOException {
        try {
            return fs.getFileStatus(p);
        } catch (FileNotFoundException e) {
            return null;
        }
    }

    /** The first line of an exception's message (Hadoop's permission errors run over several lines). */
    static String reason(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
