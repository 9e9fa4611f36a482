package org.ddpm4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.ddpm4j.fid.TinyOnnx;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sampling job's output on a real HDFS (a NameNode and a DataNode in this JVM: hadoop-client-minicluster, the
 * Hadoop version of Spark's client), where a rename onto an existing file returns false: racing and retried
 * attempts of one partition, an attempt that fails mid-write, a rerun with other settings into the same folder,
 * and a folder the user may not write.
 */
class HdfsOutputTest {

    private static final int COUNT = 9;

    @TempDir
    static java.nio.file.Path dir;

    private static MiniDFSCluster cluster;
    private static FileSystem hdfs;
    private static JavaSparkContext sc;
    private static java.nio.file.Path model;
    private static final AtomicInteger failedTasks = new AtomicInteger();
    private static final AtomicInteger startedTasks = new AtomicInteger();
    private static final AtomicInteger startedJobs = new AtomicInteger();

    @BeforeAll
    static void start() throws IOException {
        cluster = MiniHdfs.start(dir.resolve("hdfs"));
        hdfs = cluster.getFileSystem();
        model = TinyOnnx.denoiser(dir.resolve("half-epsilon.onnx"), 1, 4);
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2,2]").setAppName("ddpm4j-hdfs-test")
                .set("spark.ui.enabled", "false").set("spark.ui.showConsoleProgress", "false"));
        sc.sc().addSparkListener(new SparkListener() {
            @Override
            public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart job) {
                startedJobs.incrementAndGet();
            }

            @Override
            public void onTaskStart(SparkListenerTaskStart start) {
                startedTasks.incrementAndGet();
            }

            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (!end.taskInfo().successful()) {
                    failedTasks.incrementAndGet();
                }
            }
        });
    }

    @AfterAll
    static void stop() {
        if (sc != null) {
            sc.close();
        }
        if (cluster != null) {
            cluster.shutdown();
        }
    }

    private static String uri(String path) {
        return hdfs.getUri() + path;
    }

    private static SampleSettings settings(String out) {
        return SampleSettings.defaults(model.toString(), COUNT, uri(out)).withSampler("ddim", 3, 2).withPartitions(2)
                .withSeed(5);
    }

    private static Map<String, byte[]> files(String folder) throws IOException {
        return MiniHdfs.files(hdfs, folder);
    }

    private static void assertManifestAgreesWithFiles(String folder, int count) throws IOException {
        MiniHdfs.assertManifestAgreesWithFiles(hdfs, folder, count);
    }

    @Test
    void aTargetWrittenByAnotherAttemptIsKeptAndTheLateAttemptDropsItsTemporaryFile() throws IOException {
        Path target = new Path(uri("/atomic/a.png"));
        byte[] bytes = "same bytes".getBytes(StandardCharsets.UTF_8);
        assertEquals(HadoopFiles.Outcome.WRITTEN, HadoopFiles.writeAtomically(hdfs, target, bytes, "attempt-1"));
        long written = hdfs.getFileStatus(target).getModificationTime();
        hdfs.create(new Path(uri("/atomic/other"))).close();
        assertFalse(hdfs.rename(new Path(uri("/atomic/other")), target), "HDFS does not rename onto a file");
        hdfs.delete(new Path(uri("/atomic/other")), false);
        assertEquals(HadoopFiles.Outcome.ALREADY_THERE, HadoopFiles.writeAtomically(hdfs, target, bytes, "attempt-2"));
        assertEquals(written, hdfs.getFileStatus(target).getModificationTime(), "the good file was left alone");
        assertEquals(0, hdfs.listStatus(new Path(uri("/atomic/" + HadoopFiles.TEMP_FOLDER))).length);

        byte[] other = "other bytes from a rerun".getBytes(StandardCharsets.UTF_8);
        assertEquals(HadoopFiles.Outcome.REPLACED, HadoopFiles.writeAtomically(hdfs, target, other, "attempt-3"));
        assertArrayEquals(other, HadoopFiles.readAll(hdfs, target), "replaced by a rename with overwrite");
    }

    @Test
    void aFolderWithTheImagesNameIsRefusedNotWrittenInto() throws IOException {
        Path target = new Path(uri("/folder-named-like-an-image/a.png"));
        hdfs.mkdirs(target);
        // what a plain rename would do: move the file into the folder and report success
        Path probe = new Path(uri("/folder-named-like-an-image/probe"));
        hdfs.create(probe).close();
        assertTrue(hdfs.rename(probe, target), "HDFS renames a file into a folder of the target's name");
        hdfs.delete(new Path(target, "probe"), false);

        IOException e = assertThrows(IOException.class, () -> HadoopFiles.writeAtomically(hdfs, target,
                "png".getBytes(StandardCharsets.UTF_8), "attempt-1"));
        assertEquals("cannot write " + target + ": a folder of that name exists", e.getMessage());
        assertEquals(0, hdfs.listStatus(target).length, "nothing moved into the folder");
        assertEquals(0, hdfs.listStatus(new Path(uri("/folder-named-like-an-image/" + HadoopFiles.TEMP_FOLDER))).length,
                "no temporary file left");
    }

    @Test
    void anAttemptWhoseTemporaryFileWasRemovedFailsWithoutTouchingTheTarget() throws IOException {
        Path target = new Path(uri("/vanished/a.png"));
        byte[] good = "good".getBytes(StandardCharsets.UTF_8);
        HadoopFiles.writeAtomically(hdfs, target, good, "winner");
        Path tmp = HadoopFiles.temporary(new Path(uri("/vanished/b.png")), "loser");
        IOException e;
        try (HadoopFiles.PendingFile f = HadoopFiles.PendingFile.create(hdfs, new Path(uri("/vanished/b.png")), tmp)) {
            f.out().write(good);
            hdfs.delete(new Path(uri("/vanished/" + HadoopFiles.TEMP_FOLDER)), true); // the driver ends the job
            e = assertThrows(IOException.class, f::commit);
        }
        assertTrue(e.getMessage().contains("b.png"), e.getMessage());
        assertArrayEquals(good, HadoopFiles.readAll(hdfs, target));
        assertFalse(hdfs.exists(new Path(uri("/vanished/b.png"))));
    }

    @Test
    void racingAndRetriedAttemptsOfOnePartitionLeaveEveryImageOnce() throws Exception {
        String out = "/racing";
        SampleSettings s = settings(out).withPartitions(1);
        String sha = HadoopFiles.sha256(Files.readAllBytes(model));
        hdfs.mkdirs(new Path(uri(out)));
        SampleTask task = new SampleTask(s, sha, sha + ".onnx", model.getFileName().toString(), uri(out),
                new HadoopConf(hdfs.getConf()), 1);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (DiffusionPipeline p = DiffusionPipeline.open(model, OnnxOptions.DEFAULTS.withThreads(1))) {
            List<Future<SampleTask.Part>> attempts = new ArrayList<>();
            attempts.add(pool.submit(() -> task.write(0, p, "attempt-1", false)));
            attempts.add(pool.submit(() -> task.write(0, p, "attempt-2", false))); // a speculative copy, racing
            Thread.sleep(20);
            attempts.add(pool.submit(() -> task.write(0, p, "attempt-3", false))); // a slower one
            for (Future<SampleTask.Part> a : attempts) {
                assertEquals(COUNT, a.get().images());
            }
            assertEquals(COUNT, task.write(0, p, "attempt-4", false).images(), "a retry after all of them");
        } finally {
            pool.shutdownNow();
        }
        Map<String, byte[]> files = files(out);
        assertEquals(COUNT + 1, files.size(), "each image once and one manifest part: " + files.keySet());
        List<String> part = new String(files.get(SampleJob.MANIFEST_PARTS + "/part-00000.csv"), StandardCharsets.UTF_8)
                .lines().toList();
        assertEquals(COUNT, part.size());
        for (String line : part) {
            String[] row = line.split(",");
            assertEquals(HadoopFiles.sha256(files.get(row[2])), row[3], row[2]);
        }
    }

    @Test
    void theJobOnHdfsSurvivesAFailedAttemptAndARerunWithOtherSettings() throws Exception {
        int before = failedTasks.get();
        SampleJob.Summary first = SampleJob.run(sc, settings("/job").withFailFirstAttempt(true));
        assertEquals(COUNT, first.count());
        for (int i = 0; i < 100 && failedTasks.get() == before; i++) {
            Thread.sleep(100); // task-end events reach listeners asynchronously
        }
        assertEquals(before + 1, failedTasks.get(), "the first attempt of partition 0 failed once");
        assertManifestAgreesWithFiles("/job", COUNT);
        Map<String, byte[]> firstFiles = files("/job");

        SampleJob.run(sc, settings("/job").withSampler("ddim", 4, 2)); // same names, other pixels
        assertManifestAgreesWithFiles("/job", COUNT);
        Map<String, byte[]> rerun = files("/job");
        assertEquals(firstFiles.keySet(), rerun.keySet());
        assertFalse(java.util.Arrays.equals(firstFiles.get("sample-0000-seed5.png"), rerun.get("sample-0000-seed5.png")),
                "the rerun's image replaced the first run's");

        // the FID job reads the folder on HDFS, its sub-folders listed by the tasks
        java.nio.file.Path extractor = TinyOnnx.extractor(dir.resolve("extractor.onnx"), new long[] {-1, 1, 4, 4},
                Map.of());
        assertEquals(COUNT, FidJob.statistics(sc, uri("/job"), new FidSettings(extractor.toString(), "features", 0, 4,
                dir.toString(), "cpu", 2)).count());
    }

    /** Runs {@code ddpm-spark sample} in this JVM (it uses the running context) and returns its exit code and stderr. */
    private static String[] cli(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int code = DdpmSpark.run(args, new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true));
        return new String[] {Integer.toString(code), err.toString()};
    }

    private static Path marker(String folder) {
        return new Path(uri(folder + "/" + OutputLock.MARKER));
    }

    private static void writeMarker(String folder, String text, long modifiedMillis) throws IOException {
        try (var os = hdfs.create(marker(folder), false)) {
            os.write(text.getBytes(StandardCharsets.UTF_8));
        }
        hdfs.setTimes(marker(folder), modifiedMillis, -1);
    }

    @Test
    void aSecondJobIntoTheSameFolderIsRefusedAtOnceWhileTheFirstRunsAndTheMarkerGoesWithTheFirst() throws Exception {
        String out = "/two-jobs";
        int jobsBefore = startedJobs.get();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<SampleJob.Summary> first = pool.submit(() -> {
                sc.setLocalProperty(SampleTask.SLOW_FIRST_ATTEMPT, "4000"); // the first job stays a while
                try {
                    return SampleJob.run(sc, settings(out));
                } finally {
                    sc.setLocalProperty(SampleTask.SLOW_FIRST_ATTEMPT, null);
                }
            });
            // until the marker is there and closed (HDFS shows a file being written with length 0)
            for (int i = 0; i < 300 && !(hdfs.exists(marker(out)) && hdfs.getFileStatus(marker(out)).getLen() > 0); i++) {
                Thread.sleep(50);
            }
            String holder = new String(HadoopFiles.readAll(hdfs, marker(out)), StandardCharsets.UTF_8).strip();
            assertTrue(holder.matches("ddpm-spark sample \\(Spark application " + sc.sc().applicationId()
                    + "\\): pid " + ProcessHandle.current().pid() + " on host \\S+, since \\S+Z"), holder);
            for (int i = 0; i < 300 && startedJobs.get() == jobsBefore; i++) {
                Thread.sleep(50); // the first job's start reaches the listener
            }
            int jobs = startedJobs.get();

            OutputLock.OutputInUseException e = assertThrows(OutputLock.OutputInUseException.class,
                    () -> SampleJob.run(sc, settings(out).withSeed(77)));
            assertTrue(e.getMessage().startsWith("--out " + uri(out) + " is in use by " + holder + "; "), e.getMessage());
            String[] refused = cli("sample", "--model", model.toString(), "-n", "3", "--sampler", "ddim", "--steps", "2",
                    "--out", uri(out));
            assertEquals("2", refused[0], refused[1]);
            assertEquals(1, refused[1].lines().count(), refused[1]);
            assertTrue(refused[1].startsWith("ddpm-spark sample: --out " + uri(out) + " is in use by " + holder),
                    refused[1]);
            sc.sc().listenerBus().waitUntilEmpty();
            assertEquals(jobs, startedJobs.get(), "the refused runs started no Spark job");
            assertFalse(first.isDone(), "refused while the first job was still running");

            assertEquals(COUNT, first.get().count());
        } finally {
            pool.shutdownNow();
        }
        assertManifestAgreesWithFiles(out, COUNT); // the marker is gone with the rest of the job's own files
        assertEquals(COUNT, SampleJob.run(sc, settings(out)).count(), "the folder is free again");
    }

    @Test
    void aStaleMarkerIsRefusedWithTheCommandThatRemovesIt() throws Exception {
        String out = "/stale";
        hdfs.mkdirs(new Path(uri(out)));
        String otherHost = "ddpm-spark sample (Spark application app-1): pid 4242 on host no-such-host, since "
                + "2026-01-01T00:00:00Z";
        writeMarker(out, otherHost + "\n", System.currentTimeMillis() - 3_600_000L);
        int jobs = startedJobs.get();
        String refusal = assertThrows(OutputLock.OutputInUseException.class, () -> SampleJob.run(sc, settings(out)))
                .getMessage();
        assertEquals("--out " + uri(out) + " holds a stale marker of " + otherHost + " (not renewed for 60 min; a"
                + " running job renews it every 30 s, so its driver was probably killed); if no job writes there,"
                + " remove it with: hdfs dfs -rm " + uri(out + "/" + OutputLock.MARKER), refusal);
        String[] cli = cli("sample", "--model", model.toString(), "-n", "3", "--sampler", "ddim", "--steps", "2", "--out",
                uri(out));
        assertEquals("2", cli[0]);
        assertEquals("ddpm-spark sample: " + refusal, cli[1].strip());

        // a driver on this host whose process is gone: stale however fresh its marker
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        hdfs.delete(marker(out), false);
        String deadHere = "ddpm-spark sample (Spark application app-2): pid " + gone.pid() + " on host "
                + org.ddpm4j.runtime.io.RunFolderLock.hostName() + ", since 2026-01-01T00:00:00Z";
        writeMarker(out, deadHere, System.currentTimeMillis());
        assertTrue(assertThrows(OutputLock.OutputInUseException.class, () -> SampleJob.run(sc, settings(out)))
                .getMessage().contains(" holds a stale marker of " + deadHere + " (its process " + gone.pid()
                        + " on this host is gone); if no job writes there, remove it with: hdfs dfs -rm "));

        // a marker renewed a moment ago by a driver on another host: in use
        hdfs.delete(marker(out), false);
        writeMarker(out, otherHost, System.currentTimeMillis());
        assertTrue(assertThrows(OutputLock.OutputInUseException.class, () -> SampleJob.run(sc, settings(out)))
                .getMessage().startsWith("--out " + uri(out) + " is in use by " + otherHost + "; "));
        assertArrayEquals(otherHost.getBytes(StandardCharsets.UTF_8), HadoopFiles.readAll(hdfs, marker(out)),
                "a refused job leaves the marker alone");
        sc.sc().listenerBus().waitUntilEmpty();
        assertEquals(jobs, startedJobs.get(), "no Spark job started");

        hdfs.delete(marker(out), false); // what the hint says to do
        assertEquals(COUNT, SampleJob.run(sc, settings(out)).count());
        assertManifestAgreesWithFiles(out, COUNT);
    }

    /** A forked JVM that holds the output lock of {@code folder} ({@link MarkerHolder}), once it holds it. */
    private static Process holder(String folder) throws IOException {
        Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), MarkerHolder.class.getName(), uri(folder))
                .redirectErrorStream(true).start();
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            if (line.startsWith("held ")) {
                return p;
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("the holder ended without the lock: " + seen);
    }

    @Test
    void aStoppedDriverRemovesItsMarkerAndAKilledOnesIsNamedStale() throws Exception {
        String out = "/forked";
        hdfs.mkdirs(new Path(uri(out)));
        Process stopped = holder(out);
        try {
            assertTrue(assertThrows(OutputLock.OutputInUseException.class, () -> SampleJob.run(sc, settings(out)))
                    .getMessage().startsWith("--out " + uri(out) + " is in use by marker-holder: pid " + stopped.pid()));
            stopped.destroy(); // SIGTERM, as Ctrl-C or a resource manager stops a driver: its shutdown hook runs
            assertTrue(stopped.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        } finally {
            stopped.destroyForcibly();
        }
        assertFalse(hdfs.exists(marker(out)), "a driver stopped by a signal removes its marker");

        Process killed = holder(out);
        killed.destroyForcibly(); // SIGKILL: nothing of the driver runs
        assertTrue(killed.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(hdfs.exists(marker(out)), "kill -9 leaves the marker");
        String refusal = assertThrows(OutputLock.OutputInUseException.class, () -> SampleJob.run(sc, settings(out)))
                .getMessage();
        assertTrue(refusal.startsWith("--out " + uri(out) + " holds a stale marker of marker-holder: pid " + killed.pid()),
                refusal);
        assertTrue(refusal.endsWith(" (its process " + killed.pid() + " on this host is gone); if no job writes there,"
                + " remove it with: hdfs dfs -rm " + uri(out + "/" + OutputLock.MARKER)), refusal);
    }

    @Test
    void theMarkerIsRemovedWhenTheJobFails() throws Exception {
        String out = "/failing";
        hdfs.mkdirs(new Path(uri(out)));
        hdfs.create(new Path(uri(out + "/0004"))).close(); // a file where a sub-folder goes: every attempt fails
        assertThrows(org.apache.spark.SparkException.class,
                () -> SampleJob.run(sc, settings(out).withFilesPerFolder(4)));
        assertFalse(hdfs.exists(marker(out)), "the marker is gone after a failed job");
        assertFalse(hdfs.exists(new Path(uri(out + "/" + HadoopFiles.TEMP_FOLDER))));
    }

    @Test
    void aRunningJobRenewsItsMarker() throws Exception {
        Configuration conf = new Configuration(hdfs.getConf());
        conf.setInt(OutputLock.RENEW_SECONDS_KEY, 1);
        try (FileSystem fs = FileSystem.newInstance(hdfs.getUri(), conf)) {
            Path folder = fs.makeQualified(new Path("/renewed"));
            fs.mkdirs(folder);
            try (OutputLock lock = OutputLock.acquire("--out", new OutputFolder(fs, folder), "test", null)) {
                Path m = lock.marker().orElseThrow();
                long hourAgo = System.currentTimeMillis() - 3_600_000L;
                fs.setTimes(m, hourAgo, -1);
                for (int i = 0; i < 100 && fs.getFileStatus(m).getModificationTime() == hourAgo; i++) {
                    Thread.sleep(50);
                }
                assertTrue(fs.getFileStatus(m).getModificationTime() > hourAgo + 3_500_000L, "renewed");
            }
            assertFalse(fs.exists(new Path(folder, OutputLock.MARKER)), "removed on close");
        }
    }

    @Test
    void aFolderTheUserMayNotWriteIsRefusedBeforeAnyTaskRuns() throws Exception {
        Path locked = new Path(uri("/locked"));
        hdfs.mkdirs(locked);
        hdfs.setPermission(locked, new FsPermission((short) 0555));
        int started = startedTasks.get();
        UserGroupInformation alice = UserGroupInformation.createUserForTesting("alice", new String[] {"users"});
        IllegalArgumentException inside = alice.doAs((PrivilegedExceptionAction<IllegalArgumentException>) () ->
                assertThrows(IllegalArgumentException.class, () -> SampleJob.run(sc, settings("/locked/out"))));
        assertTrue(inside.getMessage().startsWith("--out " + uri("/locked/out") + " cannot be created"), inside.getMessage());
        IllegalArgumentException top = alice.doAs((PrivilegedExceptionAction<IllegalArgumentException>) () ->
                assertThrows(IllegalArgumentException.class, () -> SampleJob.run(sc, settings("/locked"))));
        assertTrue(top.getMessage().startsWith("--out " + uri("/locked") + " is not writable: "), top.getMessage());
        assertFalse(top.getMessage().contains("\n"), top.getMessage());

        hdfs.create(new Path(uri("/a-file"))).close();
        IllegalArgumentException file = assertThrows(IllegalArgumentException.class,
                () -> SampleJob.run(sc, settings("/a-file")));
        assertEquals("--out " + uri("/a-file") + " is a file, not a folder", file.getMessage());
        assertEquals(started, startedTasks.get(), "no task ran");
        FileStatus st = hdfs.getFileStatus(new Path(uri("/a-file")));
        assertEquals(0, st.getLen(), "the file is untouched");
    }
}
