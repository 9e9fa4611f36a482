package org.ddpm4j.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** A process that holds {@link OutputLock} on the Hadoop folder {@code args[0]} until it is stopped (forked tests). */
public final class MarkerHolder {

    private MarkerHolder() {
    }

    public static void main(String[] args) throws Exception {
        Path folder = new Path(args[0]);
        FileSystem fs = HadoopFiles.fileSystem(folder, new Configuration());
        OutputLock lock = OutputLock.acquire("--out", new OutputFolder(fs, fs.makeQualified(folder)), "marker-holder",
                null);
        System.out.println("held " + lock.marker().orElseThrow());
        System.out.flush();
        Thread.sleep(600_000);
    }
}
