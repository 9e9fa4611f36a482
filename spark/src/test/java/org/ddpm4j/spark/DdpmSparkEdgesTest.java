package org.ddpm4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.ddpm4j.fid.TinyOnnx;
import org.ddpm4j.runtime.image.PngFiles;
import org.ddpm4j.runtime.io.RunFolderLock;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.runtime.pipeline.GenerationRequest;
import org.ddpm4j.runtime.pipeline.SampleFiles;
import org.ddpm4j.runtime.sampling.VarianceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ddpm-spark} as a user meets it, through {@link DdpmSpark#run} inside a Spark context that is already
 * running (as in a notebook: the commands use it and leave it running): odd local paths, refusals that are one
 * line with exit code 2 before any task runs, {@code --like}, and {@code ddpm fid}'s warnings.
 */
class DdpmSparkEdgesTest {

    @TempDir
    static Path dir;

    private static JavaSparkContext sc;
    private static Path odd;
    private static Path model;
    private static Path extractor;
    private static final AtomicInteger startedTasks = new AtomicInteger();

    private record Run(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DdpmSpark.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void start() throws IOException {
        odd = Files.createDirectories(dir.resolve("sp ace").resolve("é%41"));
        model = TinyOnnx.denoiser(odd.resolve("pct%41 m.onnx"), 1, 4);
        extractor = TinyOnnx.extractor(odd.resolve("ex tractor%20.onnx"), new long[] {-1, 1, 4, 4}, Map.of());
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("ddpm4j-edges-test")
                .set("spark.ui.enabled", "false").set("spark.ui.showConsoleProgress", "false"));
        sc.sc().addSparkListener(new SparkListener() {
            @Override
            public void onTaskStart(SparkListenerTaskStart start) {
                startedTasks.incrementAndGet();
            }
        });
    }

    @AfterAll
    static void stop() {
        if (sc != null) {
            sc.close();
        }
    }

    @Test
    void localPathsWithSpacesNonAsciiAndPercentAreTakenLiterally() throws IOException {
        Path out = odd.resolve("out 1");
        Run r = run("sample", "--model", model.toString(), "--out", out.toString(), "-n", "3", "--sampler", "ddim",
                "--steps", "2", "--threads", "1", "--optimization", "basic");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("sample-0000-seed0.png")), r.out());
        assertTrue(Files.isRegularFile(out.resolve(SampleJob.MANIFEST)));
        assertEquals("pct%41 m.onnx", PngFiles.readText(out.resolve("sample-0002-seed2.png")).get(SampleFiles.KEY_MODEL));
        assertTrue(sc.sc().isStopped() == false, "the running context is left running");

        Run f = run("fid", "--extractor", extractor.toString(), "--features", "features", out.toString(), out.toString());
        assertEquals(0, f.code(), f.err());
        assertTrue(f.out().startsWith("FID 0.0000"), f.out());
        // ddpm fid's warning: 3 images, 16 features
        assertEquals(List.of("warning: " + out + " has 3 images, fewer than its 16 features: its covariance is"
                + " singular and the FID is biased upwards; use at least 16 images (1000 or more to compare models)"),
                f.errLines().stream().distinct().toList());
    }

    @Test
    void badMastersAreOneLineWithExitCode2() {
        for (String master : List.of("bogus://x", "local[0]", "local[2,0]", "local-cluster[1,0,512]")) {
            Run r = run("sample", "--master", master, "--model", model.toString(), "--out", dir.resolve("m").toString());
            assertEquals(2, r.code(), master);
            assertEquals(1, r.errLines().size(), r.err());
            assertTrue(r.err().startsWith("ddpm-spark sample: --master " + master + ": "), r.err());
        }
        Run fid = run("fid", "--master", "bogus://x", "a", "b");
        assertEquals(List.of("ddpm-spark fid: --master bogus://x: expected local, local[N], local[*], local[N,F], "
                + "local-cluster[N,C,M], spark://HOST:PORT, yarn or k8s://URL"), fid.errLines());
    }

    @Test
    void anOutputThatIsAFileOrCannotBeWrittenIsRefusedBeforeAnyTask() throws IOException {
        int started = startedTasks.get();
        Path file = Files.writeString(dir.resolve("existing file"), "keep me");
        Run r = run("sample", "--model", model.toString(), "--out", file.toString(), "-n", "2", "--steps", "2");
        assertEquals(2, r.code());
        assertEquals(List.of("ddpm-spark sample: --out " + file + " is a file, not a folder"), r.errLines());
        assertEquals("keep me", Files.readString(file));

        Run ro = run("sample", "--model", model.toString(), "--out", "/proc/ddpm-spark-out", "-n", "2", "--steps", "2");
        assertEquals(2, ro.code());
        assertEquals(1, ro.errLines().size(), ro.err());
        assertTrue(ro.err().startsWith("ddpm-spark sample: --out /proc/ddpm-spark-out cannot be created"), ro.err());
        Run proc = run("sample", "--model", model.toString(), "--out", "/proc", "-n", "2", "--steps", "2");
        assertEquals(2, proc.code());
        assertTrue(proc.err().startsWith("ddpm-spark sample: --out /proc is not writable: "), proc.err());
        assertTrue(!proc.err().contains(HadoopFiles.TEMP_FOLDER), "no internal name: " + proc.err());
        assertEquals(started, startedTasks.get(), "no task ran");
    }

    @Test
    void aLocalOutputFolderHasOneWriterWhetherDdpmSampleOrDdpmSparkHoldsIt() throws IOException {
        Path out = odd.resolve("one writer");
        int started = startedTasks.get();
        try (RunFolderLock ddpmSample = RunFolderLock.acquire(out, "ddpm sample")) { // a ddpm sample run writing there
            String holder = Files.readString(out.resolve(RunFolderLock.FILE_NAME)).strip();
            Run r = run("sample", "--model", model.toString(), "--out", out.toString(), "-n", "3", "--sampler", "ddim",
                    "--steps", "2");
            assertEquals(2, r.code(), r.err());
            assertEquals(List.of("ddpm-spark sample: --out " + out + " is in use by " + holder + "; ddpm-spark sample"
                    + " writes there only when nothing else does: wait for it to end, stop it, or choose another folder"),
                    r.errLines());
            assertTrue(holder.startsWith("ddpm sample: pid " + ProcessHandle.current().pid() + " on host "), holder);
        }
        assertEquals(started, startedTasks.get(), "no task ran");
        Run r = run("sample", "--model", model.toString(), "--out", out.toString(), "-n", "3", "--sampler", "ddim",
                "--steps", "2");
        assertEquals(0, r.code(), r.err());
        assertEquals("", Files.readString(out.resolve(RunFolderLock.FILE_NAME)), "released: the lock file is emptied");
        // and while ddpm-spark writes, ddpm sample is refused (the same operating-system lock)
        try (OutputLock spark = OutputLock.acquire("--out", OutputFolder.prepare("--out", out.toString(),
                sc.hadoopConfiguration()), "ddpm-spark sample", sc.sc().applicationId())) {
            RunFolderLock.FolderInUseException e = org.junit.jupiter.api.Assertions.assertThrows(
                    RunFolderLock.FolderInUseException.class, () -> RunFolderLock.acquire(out, "ddpm sample"));
            assertTrue(e.holder().startsWith("ddpm-spark sample (Spark application " + sc.sc().applicationId()
                    + "): pid "), e.holder());
        }
    }

    @Test
    void anUnreadableImageInAFidSetIsNamed() throws IOException {
        Path set = Files.createDirectories(dir.resolve("bad set"));
        Run r = run("sample", "--model", model.toString(), "--out", set.toString(), "-n", "4", "--steps", "2");
        assertEquals(0, r.code(), r.err());
        Path broken = Files.writeString(set.resolve("sample-0002-seed2.png"), "not a png");
        Run f = run("fid", "--extractor", extractor.toString(), "--features", "features", set.toString(),
                set.toString());
        assertEquals(2, f.code());
        assertEquals(List.of("ddpm-spark fid: cannot read image " + broken + ": not a PNG or JPEG this JVM can decode"
                + " (expected a PNG or JPEG file)"), f.errLines());
    }

    @Test
    void likeDrawsThePngAgainAsDdpmSampleDoes() throws IOException {
        // the PNG ddpm sample writes for: --model M --sampler ddim --steps 3 --eta 0.5 -n 3 --seed 70 --batch 3
        Path reference = dir.resolve("like-reference");
        try (DiffusionPipeline p = DiffusionPipeline.open(model, OnnxOptions.DEFAULTS.withThreads(1))) {
            GenerationRequest request = GenerationRequest.builder().optSampler("ddim").optSeeds(70, 3).optBatchSize(3)
                    .optEta(0.5).optVariance(VarianceType.fromId("fixed_small")).optSteps(3).build();
            SampleFiles.writeImages(p.generate(request), reference, "sample-", p.modelSha256(), SampleFiles.settingsText(
                    "ddim", "linspace", 0.5, "fixed_small", p.sampler(request).clipSample(), false,
                    model.getFileName().toString()));
        }
        Path png = reference.resolve("sample-0000-seed70.png");
        Path out = dir.resolve("like-out");
        Run r = run("sample", "--like", png.toString(), "--model", model.toString(), "--out", out.toString(),
                "--batch", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("wrote 1 image to "), r.out());
        assertTrue(r.out().contains(": 1 image in "), r.out());
        assertArrayEquals(Files.readAllBytes(png), Files.readAllBytes(out.resolve("sample-0000-seed70.png")),
                "the same PNG, byte for byte");

        Path other = TinyOnnx.denoiser(dir.resolve("other.onnx"), 1, 8);
        Run wrong = run("sample", "--like", png.toString(), "--model", other.toString(), "--out", out.toString());
        assertEquals(2, wrong.code());
        assertEquals(1, wrong.errLines().size(), wrong.err());
        assertTrue(wrong.err().contains(" was drawn by a model with sha256 "), wrong.err());
    }

    @Test
    void theShippedFilesAreFoundFromAModuleFolder() {
        // surefire runs in spark/, below the repository root that holds models/
        assertTrue(!Files.exists(Path.of("models")), "the test runs outside the repository root");
        assertTrue(ShippedDefaults.find(ShippedDefaults.MODEL).isPresent());
        assertTrue(ShippedDefaults.find(ShippedDefaults.EXTRACTOR).isPresent());
    }
}
