package org.ddpm4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/** The tests' real HDFS (a NameNode and a DataNode in the test JVM) and what they check of a job's output on it. */
final class MiniHdfs {

    private MiniHdfs() {
    }

    /** A one-DataNode cluster stored under {@code folder}, up and active (small blocks allowed). */
    static MiniDFSCluster start(java.nio.file.Path folder) throws IOException {
        Configuration conf = new Configuration();
        conf.set("dfs.namenode.fs-limits.min-block-size", "1024");
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, folder.toFile()).numDataNodes(1).build();
        cluster.waitActive();
        return cluster;
    }

    /** Every file under {@code folder} (relative path to bytes). */
    static Map<String, byte[]> files(FileSystem hdfs, String folder) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        Path root = hdfs.makeQualified(new Path(folder));
        RemoteIterator<LocatedFileStatus> it = hdfs.listFiles(root, true);
        while (it.hasNext()) {
            Path p = it.next().getPath();
            out.put(p.toUri().getPath().substring(root.toUri().getPath().length() + 1), HadoopFiles.readAll(hdfs, p));
        }
        return out;
    }

    /**
     * The folder holds the manifest and exactly the images it lists, in index order, with their sha256, and
     * nothing else (no temporary files, no marker).
     */
    static void assertManifestAgreesWithFiles(FileSystem hdfs, String folder, int count) throws IOException {
        Map<String, byte[]> files = files(hdfs, folder);
        List<String> lines = new String(files.remove(SampleJob.MANIFEST), StandardCharsets.UTF_8).lines().toList();
        assertEquals(SampleJob.MANIFEST_HEADER, lines.get(0));
        assertEquals(count + 1, lines.size());
        for (int k = 0; k < count; k++) {
            String[] row = lines.get(k + 1).split(",");
            assertEquals(Integer.toString(k), row[0], "manifest in index order");
            byte[] png = files.remove(row[2]);
            assertTrue(png != null, row[2] + " listed and present");
            assertEquals(HadoopFiles.sha256(png), row[3], "sha256 of " + row[2]);
        }
        assertEquals(Map.of(), files, "nothing but the images and the manifest (no temporary files, no marker)");
    }
}
