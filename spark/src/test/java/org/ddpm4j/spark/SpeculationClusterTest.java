package org.ddpm4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.deploy.master.Master$;
import org.apache.spark.deploy.worker.Worker$;
import org.apache.spark.rpc.RpcEnv;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.TaskInfo;
import org.ddpm4j.fid.TinyOnnx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Option;

/**
 * Spark's own speculation against a real HDFS: a standalone master and two workers in this JVM whose executors are
 * separate JVMs, as {@code local-cluster[2,1,1024]} makes them, but with the workers on two loopback addresses
 * (127.0.0.1 and 127.0.0.2). Spark never starts a speculative copy on a host where the task already has an
 * attempt, and {@code local-cluster} puts every worker on one host name, so it never speculates either; two host
 * names let it. The first attempt of partition 0 is held back (a straggler); Spark starts a copy on the other
 * executor, takes the copy's result and kills the straggler. Every image is then present once, the manifest and
 * the files agree, and no temporary file is left.
 *
 * <p>The workers find the executor JVM's class path through Spark's test mode ({@code spark.testing}: the
 * driver's class path is passed on), and need a Spark home with a {@code jars} folder and a Scala build folder
 * ({@code target/spark-home}, made here).
 */
class SpeculationClusterTest {

    private static final int COUNT = 8;

    @TempDir
    static java.nio.file.Path dir;

    private static MiniDFSCluster cluster;
    private static FileSystem hdfs;
    private static RpcEnv master;
    private static final List<RpcEnv> workers = new CopyOnWriteArrayList<>();
    private static JavaSparkContext sc;
    private static java.nio.file.Path model;
    private static final List<TaskInfo> ended = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        cluster = MiniHdfs.start(dir.resolve("hdfs"));
        hdfs = cluster.getFileSystem();
        model = TinyOnnx.denoiser(dir.resolve("half-epsilon.onnx"), 1, 4);

        java.nio.file.Path home = java.nio.file.Path.of("target", "spark-home").toAbsolutePath();
        Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("launcher/target/scala-2.13"));
        System.setProperty("spark.testing", "true");
        System.setProperty("spark.test.home", home.toString());

        SparkConf clusterConf = new SparkConf(false);
        master = Master$.MODULE$.startRpcEnvAndEndpoint("127.0.0.1", 0, 0, clusterConf)._1();
        String masterUrl = "spark://127.0.0.1:" + master.address().port();
        int n = 0;
        for (String host : List.of("127.0.0.1", "127.0.0.2")) {
            n++;
            workers.add(Worker$.MODULE$.startRpcEnvAndEndpoint(host, 0, 0, 1, 1024, new String[] {masterUrl},
                    Files.createDirectories(dir.resolve("worker-" + n)).toString(), Option.apply(n), clusterConf,
                    Option.empty()));
        }
        sc = new JavaSparkContext(new SparkConf().setMaster(masterUrl).setAppName("ddpm4j-speculation-test")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false").set("spark.ui.showConsoleProgress", "false")
                .set("spark.executor.memory", "640m").set("spark.executor.cores", "1").set("spark.cores.max", "2")
                .set("spark.speculation", "true").set("spark.speculation.interval", "100ms")
                .set("spark.speculation.quantile", "0.5").set("spark.speculation.multiplier", "1.5")
                .set("spark.speculation.minTaskRuntime", "500ms"));
        sc.sc().addSparkListener(new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                ended.add(end.taskInfo());
            }
        });
        for (int i = 0; i < 600 && sc.sc().getExecutorIds().size() < 2; i++) {
            sleep(100);
        }
        assertEquals(2, sc.sc().getExecutorIds().size(), "two executors registered");
    }

    @AfterAll
    static void stop() {
        if (sc != null) {
            sc.close();
        }
        for (RpcEnv w : workers) {
            w.shutdown();
            w.awaitTermination();
        }
        if (master != null) {
            master.shutdown();
            master.awaitTermination();
        }
        if (cluster != null) {
            cluster.shutdown();
        }
        System.clearProperty("spark.testing");
        System.clearProperty("spark.test.home");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aStragglerGetsASpeculativeCopyAndEveryImageIsWrittenOnce() throws Exception {
        // a first job opens the model on both executors, so that task times are sampling times
        assertEquals(2, SampleJob.run(sc, SampleSettings.defaults(model.toString(), 2, hdfs.getUri() + "/warm-up")
                .withSampler("ddim", 1, 1).withPartitions(2)).count());
        ended.clear();
        String out = hdfs.getUri() + "/speculated";
        SampleSettings s = SampleSettings.defaults(model.toString(), COUNT, out).withSampler("ddim", 3, 2)
                .withPartitions(2).withSeed(11);
        sc.setLocalProperty(SampleTask.SLOW_FIRST_ATTEMPT, "60000"); // until Spark kills it
        SampleJob.Summary r;
        try {
            r = SampleJob.run(sc, s);
        } finally {
            sc.setLocalProperty(SampleTask.SLOW_FIRST_ATTEMPT, null);
        }
        long returned = System.currentTimeMillis();
        assertEquals(COUNT, r.count());
        sc.sc().listenerBus().waitUntilEmpty();
        List<TaskInfo> speculative = ended.stream().filter(TaskInfo::speculative).toList();
        assertTrue(speculative.stream().anyMatch(TaskInfo::successful),
                "a speculative copy ran and succeeded: " + ended);
        assertTrue(ended.stream().anyMatch(t -> t.index() == 0 && !t.speculative() && t.killed()),
                "the straggler was killed: " + ended);
        String attempts = ended.stream().map(t -> String.format("%d.%d%s on %s %s %d ms after start, %d ms",
                t.index(), t.attemptNumber(), t.speculative() ? " (speculative)" : "", t.host(), t.status(),
                t.launchTime() - ended.get(0).launchTime(), t.duration())).toList().toString();
        System.out.println("attempts: " + attempts + "; job " + r.seconds() + " s");
        assertTrue(r.seconds() < 30, "the speculative copy, not the straggler, finished the job: " + attempts);
        assertEquals(3, ended.size(), attempts);
        assertTrue(ended.stream().allMatch(t -> t.finishTime() <= returned),
                "the job returned after every attempt had ended, the killed one too: " + attempts);

        MiniHdfs.assertManifestAgreesWithFiles(hdfs, "/speculated", COUNT);
    }
}
