package org.ddpm4j.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.ddpm4j.runtime.image.PngFiles;
import org.ddpm4j.runtime.onnx.Device;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.runtime.pipeline.GenerationResult;
import org.ddpm4j.runtime.pipeline.SampleFiles;

/**
 * The sampling job: {@code ddpm sample} on Spark executors.
 *
 * <p>The work is split into {@code ddpm sample}'s batches (images {@code [b * batch, (b + 1) * batch)}),
 * and the batches into partitions. Image k uses seed {@code seed + k} and is made in the same batch as
 * {@code ddpm sample} makes it, so every PNG is identical to {@code ddpm sample}'s, pixels and text chunks,
 * whatever the partitioning. The model is shipped once to each executor ({@code SparkContext.addFile})
 * and opened once per executor JVM ({@link ExecutorSessions}) with {@code spark.task.cpus} intra-op threads,
 * on CUDA when the task holds a GPU resource. Each PNG is written through the Hadoop FileSystem API to a
 * temporary name and renamed ({@link HadoopFiles#writeAtomically}); the driver removes the temporary folder
 * when the job ends and writes {@value #MANIFEST} (index, seed, file, sha256).
 */
public final class SampleJob {

    /** The manifest's file name in the output folder. */
    public static final String MANIFEST = "manifest.csv";

    private SampleJob() {
    }

    /**
     * One image written.
     *
     * @param index  image index k
     * @param seed   its seed
     * @param file   its file name in the output folder
     * @param sha256 SHA-256 of the PNG file
     */
    public record ImageRecord(int index, long seed, String file, String sha256) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * What a run did.
     *
     * @param sampler    the sampler, as {@code ddpm sample} prints it (e.g. {@code dpmpp(20 steps)})
     * @param images     the images written, in index order
     * @param partitions Spark partitions
     * @param seconds    wall time of the whole job on the driver, model checks included
     * @param out        the output folder
     * @param manifest   the manifest file
     */
    public record Summary(String sampler, List<ImageRecord> images, int partitions, double seconds, String out,
            String manifest) {

        /** Images per second of wall time. */
        public double imagesPerSecond() {
            return images.size() / Math.max(1e-9, seconds);
        }

        /** The closing line, as {@code ddpm sample} ends. */
        public String line() {
            return String.format(Locale.ROOT, "%s: %d images in %.2f s (%.2f images/s) on %d Spark partitions", sampler,
                    images.size(), seconds, imagesPerSecond(), partitions);
        }
    }

    /**
     * Runs the job.
     *
     * @throws NoSuchFileException      when the model does not exist
     * @throws IllegalArgumentException when the settings do not fit the model (checked on the driver first)
     */
    public static Summary run(JavaSparkContext sc, SampleSettings s) throws IOException {
        long start = System.nanoTime();
        Configuration hadoop = sc.hadoopConfiguration();
        ShippedFile model = ShippedFile.of(s.model(), "model", hadoop);
        String sampler;
        try (DiffusionPipeline p = DiffusionPipeline.open(model.localCopy(hadoop), OnnxOptions.DEFAULTS.withThreads(1))) {
            sampler = p.sampler(s.request(0, Math.min(s.batch(), s.count()), p.info())).toString();
        }
        model.ship(sc);

        Path outDir = new Path(s.out());
        FileSystem fs = HadoopFiles.fileSystem(outDir, hadoop);
        outDir = fs.makeQualified(outDir);
        fs.mkdirs(outDir);
        int partitions = s.partitions() > 0 ? s.partitions() : sc.defaultParallelism();
        List<Integer> batches = IntStream.range(0, s.batches()).boxed().toList();
        HadoopConf conf = new HadoopConf(hadoop);
        String outUri = outDir.toString();
        String sha = model.sha256();
        String name = model.name();
        sc.setJobDescription("ddpm sample: " + s.count() + " images, " + sampler);
        List<ImageRecord> images;
        try {
            images = new ArrayList<>(sc.parallelize(batches, partitions)
                    .mapPartitions(it -> makeBatches(it, s, sha, name, outUri, conf))
                    .collect());
        } finally {
            fs.delete(new Path(outDir, HadoopFiles.TEMP_FOLDER), true);
        }
        images.sort(Comparator.comparingInt(ImageRecord::index));
        Path manifest = new Path(outDir, MANIFEST);
        HadoopFiles.writeAtomically(fs, manifest, manifest(images), "driver");
        fs.delete(new Path(outDir, HadoopFiles.TEMP_FOLDER), true);
        return new Summary(sampler, List.copyOf(images), partitions, (System.nanoTime() - start) / 1e9, outUri,
                manifest.toString());
    }

    /** The manifest: a header line, then {@code index,seed,file,sha256} per image. */
    static byte[] manifest(List<ImageRecord> images) {
        StringBuilder sb = new StringBuilder("index,seed,file,sha256\n");
        for (ImageRecord r : images) {
            sb.append(r.index()).append(',').append(r.seed()).append(',').append(r.file()).append(',')
                    .append(r.sha256()).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Iterator<ImageRecord> makeBatches(Iterator<Integer> batches, SampleSettings s, String sha,
            String modelName, String outUri, HadoopConf conf) throws IOException {
        if (!batches.hasNext()) {
            return List.<ImageRecord>of().iterator(); // more partitions than batches: no session needed
        }
        TaskContext task = TaskContext.get();
        OnnxOptions options = OnnxOptions.DEFAULTS.withDevice(TaskResources.device(Device.parse(s.device())))
                .withThreads(TaskResources.threads());
        DiffusionPipeline pipeline = ExecutorSessions.pipeline(sha, java.nio.file.Path.of(SparkFiles.get(modelName)),
                options);
        Path out = new Path(outUri);
        FileSystem fs = HadoopFiles.fileSystem(out, conf.get());
        String tag = "attempt-" + task.taskAttemptId();
        boolean inject = s.failFirstAttempt() && task.partitionId() == 0 && task.attemptNumber() == 0;
        List<ImageRecord> written = new ArrayList<>();
        java.util.Map<String, String> settingsText = null;
        while (batches.hasNext()) {
            int first = batches.next() * s.batch();
            int n = Math.min(s.batch(), s.count() - first);
            var request = s.request(first, n, pipeline.info());
            if (settingsText == null) {
                // the same remake settings ddpm sample writes
                String sampler = s.sampler().trim().toLowerCase(java.util.Locale.ROOT);
                String spacing = s.spacing() != null ? s.spacing()
                        : org.ddpm4j.runtime.sampling.Samplers.defaultSpacing(sampler).id();
                String name = modelName.substring(modelName.lastIndexOf('/') + 1);
                settingsText = SampleFiles.settingsText(sampler, spacing, s.eta(), s.variance(),
                        pipeline.sampler(request).clipSample(), s.clippedModelOutput(), name);
                if (s.classes() == null && pipeline.info().conditional()) {
                    settingsText.put(SampleFiles.KEY_CLASS_FROM, "seed");
                }
            }
            GenerationResult result = pipeline.generate(request);
            for (int j = 0; j < n; j++) {
                int index = first + j;
                long seed = result.seeds()[j];
                String file = SampleFiles.imageFileName(SampleSettings.PREFIX, index, seed);
                java.util.Map<String, String> text = SampleFiles.imageText(result, j, sha);
                settingsText.forEach(text::putIfAbsent);
                byte[] png = PngFiles.encode(result.image(j), text);
                if (inject && !written.isEmpty()) {
                    failHalfway(fs, new Path(out, file), png, tag);
                }
                HadoopFiles.writeAtomically(fs, new Path(out, file), png, tag);
                written.add(new ImageRecord(index, seed, file, HadoopFiles.sha256(png)));
            }
        }
        return written.iterator();
    }

    /** The injected fault: half a file at its temporary name, left behind as by a task killed mid-write. */
    private static void failHalfway(FileSystem fs, Path target, byte[] png, String tag) throws IOException {
        Path tmp = new Path(new Path(target.getParent(), HadoopFiles.TEMP_FOLDER), target.getName() + "." + tag);
        try (OutputStream os = fs.create(tmp, true)) {
            os.write(png, 0, png.length / 2);
        }
        throw new IllegalStateException("injected failure of the first attempt while writing " + target.getName());
    }
}
