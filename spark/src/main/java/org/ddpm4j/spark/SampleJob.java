package org.ddpm4j.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;

/**
 * The sampling job: {@code ddpm sample} on Spark executors.
 *
 * <p>The work is split into {@code ddpm sample}'s batches (images {@code [b * batch, (b + 1) * batch)}), and
 * the batches into contiguous ranges, one per partition. Image k uses seed {@code seed + k} and is made in the
 * same batch as {@code ddpm sample} makes it, so every PNG is identical to {@code ddpm sample}'s, pixels and
 * text chunks, whatever the partitioning. The model is shipped once to each executor under its SHA-256
 * ({@link ShippedFile}) and opened once per executor JVM ({@link ExecutorSessions}). Each task writes its PNGs
 * ({@link SampleTask}, {@link HadoopFiles}) and its part of the manifest; the driver receives one small record
 * per partition, never one per image, joins the parts into {@value #MANIFEST} (index, seed, file, sha256) by
 * streaming them in partition order, and removes the temporary folders. Names and sub-folders follow
 * {@link SampleLayout}. The output folder is the job's alone while it runs ({@link OutputLock}).
 */
public final class SampleJob {

    /** The manifest's file name in the output folder. */
    public static final String MANIFEST = "manifest.csv";
    /** The manifest's header line. */
    public static final String MANIFEST_HEADER = "index,seed,file,sha256";
    /** The folder, inside the output folder, of the tasks' manifest parts; removed when the job ends. */
    public static final String MANIFEST_PARTS = "_ddpm-manifest";

    private SampleJob() {
    }

    /**
     * What a run did.
     *
     * @param sampler    the sampler, as {@code ddpm sample} prints it (e.g. {@code dpmpp(20 steps)})
     * @param count      the images written
     * @param firstFile  the first image's path in the output folder
     * @param lastFile   the last image's path in the output folder
     * @param partitions Spark partitions
     * @param seconds    wall time of the whole job on the driver, model checks included
     * @param out        the output folder
     * @param manifest   the manifest file
     */
    public record Summary(String sampler, long count, String firstFile, String lastFile, int partitions, double seconds,
            String out, String manifest) {

        /** Images per second of wall time. */
        public double imagesPerSecond() {
            return count / Math.max(1e-9, seconds);
        }

        /** The closing line, as {@code ddpm sample} ends. */
        public String line() {
            return String.format(Locale.ROOT, "%s: %d %s in %.2f s (%.2f images/s) on %d Spark partitions", sampler,
                    count, count == 1 ? "image" : "images", seconds, imagesPerSecond(), partitions);
        }
    }

    /**
     * Runs the job.
     *
     * @throws NoSuchFileException      when the model does not exist
     * @throws IllegalArgumentException when the settings do not fit the model or the output folder cannot be
     *                                  written (both checked on the driver before any task runs)
     * @throws OutputLock.OutputInUseException when another job writes to the output folder, or a stale marker
     *                                  of a killed one is in the way ({@link OutputLock}; before any task runs)
     */
    public static Summary run(JavaSparkContext sc, SampleSettings s) throws IOException {
        long start = System.nanoTime();
        Configuration hadoop = sc.hadoopConfiguration();
        ShippedFile model = ShippedFile.of(s.model(), "model", hadoop);
        String sampler;
        try (DiffusionPipeline p = DiffusionPipeline.open(model.localCopy(hadoop), OnnxOptions.DEFAULTS.withThreads(1))) {
            sampler = p.sampler(s.request(0, Math.min(s.batch(), s.count()), p.info())).toString();
        }
        OutputFolder out = OutputFolder.prepare("--out", s.out(), hadoop);
        try (OutputLock lock = OutputLock.acquire("--out", out, "ddpm-spark sample", sc.sc().applicationId())) {
            return write(sc, s, model, sampler, out, start);
        }
    }

    /** The job proper, once the output folder is this job's alone. */
    private static Summary write(JavaSparkContext sc, SampleSettings s, ShippedFile model, String sampler,
            OutputFolder out, long start) throws IOException {
        Configuration hadoop = sc.hadoopConfiguration();
        model.ship(sc, hadoop);
        int partitions = s.partitions() > 0 ? s.partitions() : sc.defaultParallelism();
        SampleTask task = new SampleTask(s, model.sha256(), model.shippedName(), model.fileName(),
                out.path().toString(), new HadoopConf(hadoop), partitions);
        sc.setJobDescription("ddpm sample: " + s.count() + " images, " + sampler);
        FileSystem fs = out.fs();
        Path manifest = new Path(out.path(), MANIFEST);
        List<SampleTask.Part> parts;
        try (JobAttempts attempts = JobAttempts.track(sc.sc())) {
            try {
                parts = sc.parallelize(IntStream.range(0, partitions).boxed().toList(), partitions)
                        .map(task::runInTask).collect();
                joinManifest(fs, out.path(), partitions, manifest);
            } finally {
                awaitKilledAttempts(attempts);
            }
        } finally {
            fs.delete(new Path(out.path(), HadoopFiles.TEMP_FOLDER), true);
            fs.delete(new Path(out.path(), MANIFEST_PARTS), true);
        }
        long count = parts.stream().mapToLong(SampleTask.Part::images).sum();
        SampleLayout layout = s.layout();
        return new Summary(sampler, count, layout.relativePath(SampleSettings.PREFIX, 0, s.seed()),
                layout.relativePath(SampleSettings.PREFIX, s.count() - 1, s.seed() + s.count() - 1), partitions,
                (System.nanoTime() - start) / 1e9, Locations.display(out.path()), Locations.display(manifest));
    }

    /** How long the job waits for killed attempts (stragglers, losing speculative copies) before its cleanup. */
    private static final long KILLED_ATTEMPTS_WAIT_MILLIS = 60_000;

    /**
     * Waits for the job's attempts that still run (killed stragglers and losing speculative copies, which stop at
     * their next image), so that none writes a temporary file after the cleanup.
     */
    private static void awaitKilledAttempts(JobAttempts attempts) {
        try {
            if (!attempts.awaitNoneRunning(KILLED_ATTEMPTS_WAIT_MILLIS)) {
                System.err.println("ddpm-spark sample: warning: task attempts of the job still ran "
                        + KILLED_ATTEMPTS_WAIT_MILLIS / 1000 + " s after it ended; a temporary file they write later is"
                        + " removed by the next run into the folder");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The manifest: the header, then the parts in partition order (so in index order), streamed. */
    private static void joinManifest(FileSystem fs, Path outDir, int partitions, Path manifest) throws IOException {
        try (HadoopFiles.PendingFile f = HadoopFiles.PendingFile.create(fs, manifest,
                HadoopFiles.temporary(manifest, "driver"))) {
            OutputStream os = f.out();
            os.write((MANIFEST_HEADER + "\n").getBytes(StandardCharsets.UTF_8));
            for (int p = 0; p < partitions; p++) {
                try (InputStream in = fs.open(SampleTask.partPath(outDir, p))) {
                    in.transferTo(os);
                }
            }
            f.commit();
        }
    }
}
