package org.ddpm4j.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;
import org.ddpm4j.runtime.image.PngFiles;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.runtime.pipeline.GenerationResult;
import org.ddpm4j.runtime.pipeline.SampleFiles;
import org.ddpm4j.runtime.sampling.Samplers;

/**
 * One partition of the sampling job, run by an executor: its contiguous range of batches, each image written
 * with {@link HadoopFiles} (temporary files under the output folder's {@value HadoopFiles#TEMP_FOLDER}), and its
 * part of the manifest, streamed to a temporary file and put in place last. Any number of attempts of the same
 * partition, sequential or racing, leave each image once and one part.
 */
final class SampleTask implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * What a partition wrote: one small record per partition for the driver.
     *
     * @param partition the partition
     * @param images    images written
     */
    record Part(int partition, long images) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /** The Spark local property of the slow-attempt fault injection ({@link #slowFirstAttempt}). */
    static final String SLOW_FIRST_ATTEMPT = "ddpm4j.test.slowFirstAttemptMillis";

    private final SampleSettings s;
    private final String sha256;
    private final String shippedName;
    private final String modelFileName;
    private final String outUri;
    private final HadoopConf conf;
    private final int partitions;

    SampleTask(SampleSettings s, String sha256, String shippedName, String modelFileName, String outUri,
            HadoopConf conf, int partitions) {
        this.s = s;
        this.sha256 = sha256;
        this.shippedName = shippedName;
        this.modelFileName = modelFileName;
        this.outUri = outUri;
        this.conf = conf;
        this.partitions = partitions;
    }

    /** Runs partition {@code partition} inside a Spark task (the model from {@code SparkFiles}). */
    Part runInTask(int partition) throws IOException {
        TaskContext task = TaskContext.get();
        if (firstBatch(partition) == firstBatch(partition + 1)) {
            return write(partition, null, "attempt-" + task.taskAttemptId(), false); // no batches: no session
        }
        DiffusionPipeline pipeline = ExecutorSessions.pipeline(sha256,
                java.nio.file.Path.of(SparkFiles.get(shippedName)), s.taskOptions());
        boolean inject = s.failFirstAttempt() && partition == 0 && task.attemptNumber() == 0;
        slowFirstAttempt(task, partition);
        return write(partition, pipeline, "attempt-" + task.taskAttemptId(), inject);
    }

    /**
     * Fault injection for tests: the Spark local property {@value #SLOW_FIRST_ATTEMPT} (milliseconds), set on the
     * thread that starts the job, holds the first attempt of partition 0 back that long, as a straggler would be
     * (until Spark kills it).
     */
    private static void slowFirstAttempt(TaskContext task, int partition) {
        String millis = task.getLocalProperty(SLOW_FIRST_ATTEMPT);
        if (millis != null && partition == 0 && task.attemptNumber() == 0) {
            long end = System.nanoTime() + Long.parseLong(millis) * 1_000_000L;
            try {
                while (System.nanoTime() < end && !task.isInterrupted()) {
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // killed: the write loop's first check ends the attempt
            }
        }
    }

    /** The first batch of partition {@code p} (the batches are split into contiguous, near-equal ranges). */
    long firstBatch(int p) {
        return (long) p * s.batches() / partitions;
    }

    /** Where partition {@code p}'s manifest part goes. */
    static Path partPath(Path outDir, int p) {
        return new Path(new Path(outDir, SampleJob.MANIFEST_PARTS), String.format(Locale.ROOT, "part-%05d.csv", p));
    }

    /**
     * Writes partition {@code partition}'s images and manifest part.
     *
     * @param pipeline the model's pipeline (unused when the partition has no batches)
     * @param tag      unique per attempt: the temporary files' suffix
     * @param inject   fault injection: fail half-way through the second image's file, as a killed task would
     */
    Part write(int partition, DiffusionPipeline pipeline, String tag, boolean inject) throws IOException {
        Path outDir = new Path(outUri);
        FileSystem fs = HadoopFiles.fileSystem(outDir, conf.get());
        Path tmpDir = new Path(outDir, HadoopFiles.TEMP_FOLDER);
        SampleLayout layout = s.layout();
        long images = 0;
        Path manifestPart = partPath(outDir, partition);
        try (HadoopFiles.PendingFile part = HadoopFiles.PendingFile.create(fs, manifestPart,
                new Path(tmpDir, manifestPart.getName() + "." + tag))) {
            Map<String, String> settingsText = null;
            String shardMade = null;
            for (long b = firstBatch(partition); b < firstBatch(partition + 1); b++) {
                int first = Math.toIntExact(b * s.batch());
                int n = Math.min(s.batch(), s.count() - first);
                var request = s.request(first, n, pipeline.info());
                if (settingsText == null) {
                    settingsText = settingsText(pipeline, request);
                }
                GenerationResult result = pipeline.generate(request);
                for (int j = 0; j < n; j++) {
                    TaskContext task = TaskContext.get();
                    if (task != null) {
                        task.killTaskIfInterrupted(); // a killed attempt (a losing speculative copy) stops here
                    }
                    long index = first + j;
                    long seed = result.seeds()[j];
                    String file = layout.relativePath(SampleSettings.PREFIX, index, seed);
                    String shard = layout.shard(index);
                    if (shard != null && !shard.equals(shardMade)) {
                        fs.mkdirs(new Path(outDir, shard)); // a rename needs its target's folder
                        shardMade = shard;
                    }
                    Map<String, String> text = SampleFiles.imageText(result, j, sha256);
                    settingsText.forEach(text::putIfAbsent);
                    byte[] png = PngFiles.encode(result.image(j), text);
                    Path target = new Path(outDir, file);
                    Path tmp = new Path(tmpDir, target.getName() + "." + tag);
                    if (inject && images > 0) {
                        failHalfway(fs, tmp, png, target);
                    }
                    HadoopFiles.writeAtomically(fs, target, png, tmp);
                    part.out().write((index + "," + seed + "," + file + "," + HadoopFiles.sha256(png) + "\n")
                            .getBytes(StandardCharsets.UTF_8));
                    images++;
                }
            }
            part.commit();
        }
        return new Part(partition, images);
    }

    /** The remake settings {@code ddpm sample} writes into every PNG. */
    private Map<String, String> settingsText(DiffusionPipeline pipeline,
            org.ddpm4j.runtime.pipeline.GenerationRequest request) {
        String sampler = s.sampler().trim().toLowerCase(Locale.ROOT);
        String spacing = s.spacing() != null ? s.spacing() : Samplers.defaultSpacing(sampler).id();
        Map<String, String> text = SampleFiles.settingsText(sampler, spacing, s.eta(), s.variance(),
                pipeline.sampler(request).clipSample(), s.clippedModelOutput(), modelFileName);
        if (s.classes() == null && pipeline.info().conditional()) {
            text.put(SampleFiles.KEY_CLASS_FROM, "seed");
        }
        return text;
    }

    /** The injected fault: half a file at its temporary name, left behind as by a task killed mid-write. */
    private static void failHalfway(FileSystem fs, Path tmp, byte[] png, Path target) throws IOException {
        try (OutputStream os = fs.create(tmp, true)) {
            os.write(png, 0, png.length / 2);
        }
        throw new IllegalStateException("injected failure of the first attempt while writing " + target.getName());
    }
}
