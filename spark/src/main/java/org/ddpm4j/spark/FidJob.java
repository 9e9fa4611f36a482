package org.ddpm4j.spark;

import java.nio.file.NoSuchFileException;
import java.io.IOException;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.ddpm4j.fid.FeatureAccumulator;
import org.ddpm4j.fid.FeatureExtractor;
import org.ddpm4j.fid.FeatureStatistics;
import org.ddpm4j.fid.FidEvaluator;
import org.ddpm4j.fid.FidImage;
import org.ddpm4j.fid.FidStatsFile;
import org.ddpm4j.fid.FolderImageSource;
import org.ddpm4j.fid.FrechetDistance;
import org.ddpm4j.fid.IdxImageSource;
import org.ddpm4j.fid.ImageSet;
import org.ddpm4j.fid.ModelSampleSource;
import org.ddpm4j.fid.OnnxFeatureExtractor;
import org.ddpm4j.runtime.io.IdxImages;
import org.ddpm4j.runtime.onnx.Device;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;

/**
 * The FID job: {@code ddpm fid} with the features computed on executors.
 *
 * <p>A set is an image folder (any Hadoop path, listed by the driver, read by the executors), a
 * Fashion-MNIST split (read by the driver and distributed), samples of a model drawn on the executors
 * (in {@code ddpm fid}'s batches, with its seeds), or saved statistics. Each partition streams its images
 * through the extractor (shipped once, one session per executor JVM) into a {@link FeatureAccumulator}:
 * count, mean and co-moment matrix in double, the sufficient statistics of {@code ddpm fid}. The
 * partitions' accumulators are combined with Spark's tree reduction by {@link FeatureAccumulator#merge},
 * and the driver computes the distance with {@link FrechetDistance}, the code of {@code ddpm fid}.
 */
public final class FidJob {

    private FidJob() {
    }

    /**
     * The distance between two sets and their statistics.
     *
     * @param a       statistics of the first set
     * @param b       statistics of the second set
     * @param fid     the distance
     * @param seconds wall time on the driver
     */
    public record Result(FeatureStatistics a, FeatureStatistics b, FrechetDistance.Result fid, double seconds) {

        /** The closing line, as {@code ddpm fid} prints it. */
        public String line() {
            return String.format(Locale.ROOT,
                    "FID %.4f  (%s: %d images, %s: %d images, %d features; mean term %.4f, trace term %.4f; %.1f s)",
                    fid.fid(), a.source(), a.count(), b.source(), b.count(), a.dim(), fid.meanTerm(), fid.traceTerm(),
                    seconds);
        }
    }

    /** FID between sets {@code a} and {@code b}, named as {@code ddpm fid} names them (plus Hadoop URIs for folders). */
    public static Result fid(JavaSparkContext sc, String a, String b, FidSettings s) throws IOException {
        long start = System.nanoTime();
        FeatureStatistics sa = statistics(sc, a, s);
        FeatureStatistics sb = statistics(sc, b, s);
        if (sa.dim() != sb.dim()) {
            throw new IllegalArgumentException("the sets have " + sa.dim() + " and " + sb.dim()
                    + " features: compute both with the same extractor");
        }
        return new Result(sa, sb, FrechetDistance.between(sa, sb), (System.nanoTime() - start) / 1e9);
    }

    /** The feature statistics of one set. */
    public static FeatureStatistics statistics(JavaSparkContext sc, String set, FidSettings s) throws IOException {
        if (Locations.isUri(set) && !set.toLowerCase(Locale.ROOT).startsWith("model:")
                && !set.toLowerCase(Locale.ROOT).startsWith("stats:")) {
            return folder(sc, Locations.hadoopPath(set), set, s);
        }
        ImageSet parsed = ImageSet.parse(set, java.nio.file.Path.of(s.fashionMnist()));
        if (parsed instanceof ImageSet.Stats st) {
            return FidStatsFile.read(st.file());
        }
        if (parsed instanceof ImageSet.Folder f) {
            return folder(sc, Locations.local(f.path()), parsed.label(), s);
        }
        if (parsed instanceof ImageSet.FashionMnist m) {
            return fashionMnist(sc, m, s);
        }
        if (parsed instanceof ImageSet.ModelSamples m) {
            return modelSamples(sc, m, s);
        }
        throw new IllegalArgumentException("set '" + set + "' (" + parsed.label()
                + ") is not distributed by ddpm-spark: expected a folder, fashion-mnist-train, fashion-mnist-test, "
                + "model:FILE[?...] or a statistics file; use ddpm fid for noise sets");
    }

    private static FeatureStatistics folder(JavaSparkContext sc, Path folder, String label, FidSettings s)
            throws IOException {
        Configuration hadoop = sc.hadoopConfiguration();
        FileSystem fs = folder.getFileSystem(hadoop);
        FileStatus st;
        try {
            st = fs.getFileStatus(folder);
        } catch (java.io.FileNotFoundException e) {
            throw new NoSuchFileException(label, null, "image folder not found");
        }
        if (!st.isDirectory()) {
            throw new IllegalArgumentException("image folder " + label + " is not a folder");
        }
        List<FolderItem> items = FolderItem.top(fs, fs.makeQualified(folder));
        HadoopConf conf = new HadoopConf(hadoop);
        if (s.limit() > 0) {
            items = FolderItem.firstImages(items, s.limit(), countImages(sc, items, conf, s));
        }
        Extractor ex = Extractor.ship(sc, s);
        sc.setJobDescription("ddpm fid: features of " + label);
        JavaRDD<FidPart> parts = sc.parallelize(items, partitions(sc, s, items.size()))
                .mapPartitions(it -> {
                    FolderImages images = new FolderImages(it, conf);
                    return accumulate(ex, s.batch(), images);
                });
        FidPart all = combine(parts, ex);
        if (all.badImage() != null) {
            throw new IllegalArgumentException("cannot read image " + all.badImage() + ": " + all.reason()
                    + " (expected a PNG or JPEG file)");
        }
        if (all.acc() == null || all.acc().count() == 0) {
            throw new IllegalArgumentException("image folder " + label
                    + " holds no PNG or JPEG files (*.png, *.jpg, *.jpeg)");
        }
        return all.acc().statistics(ex.id(), label);
    }

    /** The images under each sub-folder item, counted by tasks (one number per sub-folder reaches the driver). */
    private static long[] countImages(JavaSparkContext sc, List<FolderItem> items, HadoopConf conf, FidSettings s) {
        List<Integer> folders = IntStream.range(0, items.size()).filter(i -> items.get(i).folder()).boxed().toList();
        long[] counts = new long[items.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = 1;
        }
        if (folders.isEmpty()) {
            return counts;
        }
        List<FolderItem> dirs = folders.stream().map(items::get).toList();
        sc.setJobDescription("ddpm fid: counting the images of " + dirs.size() + " sub-folders");
        List<Long> found = sc.parallelize(dirs, partitions(sc, s, dirs.size()))
                .map(d -> (long) d.list(conf).size()).collect();
        for (int k = 0; k < folders.size(); k++) {
            counts[folders.get(k)] = found.get(k);
        }
        return counts;
    }

    private static FeatureStatistics fashionMnist(JavaSparkContext sc, ImageSet.FashionMnist m, FidSettings s)
            throws IOException {
        IdxImages.Raw raw;
        try (IdxImageSource src = IdxImageSource.fashionMnist(m.folder(), m.split())) {
            raw = src.raw();
        }
        int n = s.limit() > 0 ? (int) Math.min(s.limit(), raw.count()) : raw.count();
        int rows = raw.rows();
        int cols = raw.cols();
        Extractor ex = Extractor.ship(sc, s);
        // the images travel once per executor as a broadcast; tasks get index ranges (small task descriptions)
        Broadcast<byte[][]> images = sc.broadcast(Arrays.copyOf(raw.images(), n));
        int p = partitions(sc, s, n);
        sc.setJobDescription("ddpm fid: features of " + m.label());
        try {
            JavaRDD<FidPart> parts = sc.parallelize(IntStream.range(0, p).boxed().toList(), p)
                    .mapPartitions(ids -> {
                        int part = ids.next();
                        int from = (int) ((long) part * n / p);
                        int to = (int) ((long) (part + 1) * n / p);
                        byte[][] all = images.value();
                        return accumulate(ex, s.batch(), IntStream.range(from, to)
                                .mapToObj(i -> IdxImageSource.image(all[i], rows, cols)).iterator());
                    });
            return combine(parts, ex).acc().statistics(ex.id(), m.label());
        } finally {
            images.destroy();
        }
    }

    private static FeatureStatistics modelSamples(JavaSparkContext sc, ImageSet.ModelSamples m, FidSettings s)
            throws IOException {
        long limit = s.limit();
        int count = m.count() > 0 ? m.count() : limit > 0 ? (int) limit : FidEvaluator.DEFAULT_SAMPLE_COUNT;
        if (limit > 0) {
            count = (int) Math.min(count, limit);
        }
        Configuration hadoop = sc.hadoopConfiguration();
        ShippedFile model = ShippedFile.of(m.model().toString(), "model", hadoop);
        try (DiffusionPipeline p = DiffusionPipeline.open(model.localCopy(hadoop), OnnxOptions.DEFAULTS.withThreads(1));
                ModelSampleSource check = new ModelSampleSource(p, m, 1, 1)) {
            check.size(); // the constructor checked sampler, steps and eta against the model
        }
        model.ship(sc, hadoop);
        Extractor ex = Extractor.ship(sc, s);
        int batch = s.batch();
        int chunks = (count + batch - 1) / batch;
        int total = count;
        String sha = model.sha256();
        String name = model.shippedName();
        String modelFile = m.model().toString();
        String sampler = m.sampler();
        int steps = m.steps();
        long seed = m.seed();
        double eta = m.eta();
        Double guidance = m.guidance();
        String classes = m.classes();
        sc.setJobDescription("ddpm fid: features of " + count + " samples of " + m.label());
        JavaRDD<FidPart> parts = sc.parallelize(IntStream.range(0, chunks).boxed().toList(),
                        partitions(sc, s, chunks))
                .mapPartitions(chunkIds -> {
                    OnnxOptions options = OnnxOptions.DEFAULTS.withDevice(TaskResources.device(Device.parse(s.device())))
                            .withThreads(TaskResources.threads());
                    DiffusionPipeline pipeline = ExecutorSessions.pipeline(sha,
                            java.nio.file.Path.of(SparkFiles.get(name)), options);
                    FeatureExtractor fe = ex.open();
                    FeatureAccumulator acc = null;
                    while (chunkIds.hasNext()) {
                        int first = chunkIds.next() * batch;
                        int n = Math.min(batch, total - first);
                        // the chunk that ddpm fid draws as one batch: the same seeds and classes, the same batch
                        ImageSet.ModelSamples set = new ImageSet.ModelSamples(java.nio.file.Path.of(modelFile), sampler,
                                steps, total, seed, eta, guidance, classes);
                        try (ModelSampleSource src = new ModelSampleSource(pipeline, set, first, n, batch)) {
                            List<FidImage> images = src.next(n);
                            float[] f = fe.extract(images);
                            acc = acc == null ? new FeatureAccumulator(f.length / images.size()) : acc;
                            acc.add(f, images.size());
                        }
                    }
                    return List.of(new FidPart(acc, null, null)).iterator();
                });
        return combine(parts, ex).acc().statistics(ex.id(), m.label());
    }

    /**
     * The features of {@code images} in batches of {@code batch}, as one partition's part; an image that cannot
     * be read ends the part with its name (bad input, not a task failure: no retries, no stack trace).
     */
    private static Iterator<FidPart> accumulate(Extractor ex, int batch, Iterator<FidImage> images)
            throws IOException {
        FeatureExtractor fe = ex.open();
        FeatureAccumulator acc = null;
        List<FidImage> chunk = new ArrayList<>(batch);
        try {
            while (images.hasNext()) {
                chunk.add(images.next());
                if (chunk.size() == batch || !images.hasNext()) {
                    float[] f = fe.extract(chunk);
                    acc = acc == null ? new FeatureAccumulator(f.length / chunk.size()) : acc;
                    acc.add(f, chunk.size());
                    chunk.clear();
                }
            }
        } catch (FolderImages.Unreadable e) {
            return List.of(new FidPart(null, e.file(), e.reason())).iterator();
        }
        return List.of(new FidPart(acc, null, null)).iterator();
    }

    private static FidPart combine(JavaRDD<FidPart> parts, Extractor ex) {
        return parts.treeReduce(FidPart::merge, treeDepth(ex.dim(), parts.getNumPartitions()));
    }

    /** The largest share of the driver's heap the final merge step may take. */
    static final long DRIVER_MERGE_BUDGET = 128L << 20;

    /**
     * The depth of the tree reduction of {@code partitions} accumulators of {@code dim} features: the smallest
     * depth whose last level sends the driver at most {@link #DRIVER_MERGE_BUDGET} bytes of accumulators (an
     * accumulator holds a {@code dim x dim} co-moment matrix in double: 32 MiB at Inception's 2048).
     */
    static int treeDepth(int dim, int partitions) {
        long bytes = 8L * dim * dim + 8L * dim + 64;
        long fanIn = Math.max(2, DRIVER_MERGE_BUDGET / Math.max(1, bytes));
        int depth = 1;
        while (Math.ceil(Math.pow(partitions, 1.0 / depth)) > fanIn && depth < 32) {
            depth++;
        }
        return depth;
    }

    private static int partitions(JavaSparkContext sc, FidSettings s, int items) {
        int p = s.partitions() > 0 ? s.partitions() : sc.defaultParallelism();
        return Math.max(1, Math.min(p, items));
    }

    /**
     * The extractor as shipped: its name on executors, hash, output, identity and feature count.
     */
    private record Extractor(String shippedName, String sha256, String featureOutput, String id, int dim)
            implements java.io.Serializable {

        static Extractor ship(JavaSparkContext sc, FidSettings s) throws IOException {
            Configuration hadoop = sc.hadoopConfiguration();
            ShippedFile file = ShippedFile.of(s.extractor(), "feature extractor", hadoop);
            String id;
            int dim;
            try (OnnxFeatureExtractor local = OnnxFeatureExtractor.open(file.localCopy(hadoop), s.featureOutput(), 1)) {
                id = local.id();
                // the feature count, for the tree reduction's depth: the features of one blank image
                BufferedImage blank = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
                dim = local.extract(List.of(FolderImageSource.fromBufferedImage(blank))).length;
            }
            file.ship(sc, hadoop);
            return new Extractor(file.shippedName(), file.sha256(), s.featureOutput(), id, dim);
        }

        FeatureExtractor open() throws IOException {
            return ExecutorSessions.extractor(sha256, java.nio.file.Path.of(SparkFiles.get(shippedName)), featureOutput,
                    TaskResources.threads());
        }
    }
}
