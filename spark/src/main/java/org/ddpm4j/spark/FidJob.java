package org.ddpm4j.spark;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
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

    private static final Pattern URI = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:/.*");

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
        if (URI.matcher(set).matches() && !set.toLowerCase(Locale.ROOT).startsWith("model:")
                && !set.toLowerCase(Locale.ROOT).startsWith("stats:")) {
            return folder(sc, new Path(set), set, s);
        }
        ImageSet parsed = ImageSet.parse(set, java.nio.file.Path.of(s.fashionMnist()));
        if (parsed instanceof ImageSet.Stats st) {
            return FidStatsFile.read(st.file());
        }
        if (parsed instanceof ImageSet.Folder f) {
            return folder(sc, new Path(f.path().toAbsolutePath().toUri()), parsed.label(), s);
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
        if (!fs.getFileStatus(folder).isDirectory()) {
            throw new IllegalArgumentException("image folder " + folder + " is not a folder");
        }
        List<String> files = new ArrayList<>();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(folder, true);
        while (it.hasNext()) {
            Path p = it.next().getPath();
            if (FolderImageSource.isImageName(p.getName()) && !p.toString().contains("/" + HadoopFiles.TEMP_FOLDER + "/")) {
                files.add(p.toString());
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("image folder " + folder + " holds no PNG or JPEG files (*.png, *.jpg, *.jpeg)");
        }
        files.sort(null);
        if (s.limit() > 0 && files.size() > s.limit()) {
            files = files.subList(0, (int) s.limit());
        }
        HadoopConf conf = new HadoopConf(hadoop);
        String folderUri = folder.toUri().toString();
        Extractor ex = Extractor.ship(sc, s);
        sc.setJobDescription("ddpm fid: features of " + files.size() + " images in " + label);
        JavaRDD<FeatureAccumulator> parts = sc.parallelize(files, partitions(sc, s, files.size()))
                .mapPartitions(paths -> {
                    FileSystem efs = new Path(folderUri).getFileSystem(conf.get());
                    return accumulate(ex, s.batch(), new Iterator<FidImage>() {
                        @Override
                        public boolean hasNext() {
                            return paths.hasNext();
                        }

                        @Override
                        public FidImage next() {
                            Path p = new Path(paths.next());
                            try {
                                BufferedImage img = ImageIO.read(new ByteArrayInputStream(HadoopFiles.readAll(efs, p)));
                                if (img == null) {
                                    throw new IOException("not a PNG or JPEG this JVM can read");
                                }
                                return FolderImageSource.fromBufferedImage(img);
                            } catch (IOException e) {
                                throw new IllegalArgumentException("cannot decode image " + p + ": " + e.getMessage(), e);
                            }
                        }
                    });
                });
        return combine(parts, ex, label);
    }

    private static FeatureStatistics fashionMnist(JavaSparkContext sc, ImageSet.FashionMnist m, FidSettings s)
            throws IOException {
        IdxImages.Raw raw;
        try (IdxImageSource src = IdxImageSource.fashionMnist(m.folder(), m.split())) {
            raw = src.raw();
        }
        int n = s.limit() > 0 ? (int) Math.min(s.limit(), raw.count()) : raw.count();
        List<byte[]> images = Arrays.asList(raw.images()).subList(0, n);
        int rows = raw.rows();
        int cols = raw.cols();
        Extractor ex = Extractor.ship(sc, s);
        sc.setJobDescription("ddpm fid: features of " + m.label());
        JavaRDD<FeatureAccumulator> parts = sc.parallelize(new ArrayList<>(images), partitions(sc, s, n))
                .mapPartitions(bytes -> accumulate(ex, s.batch(), new Iterator<FidImage>() {
                    @Override
                    public boolean hasNext() {
                        return bytes.hasNext();
                    }

                    @Override
                    public FidImage next() {
                        return IdxImageSource.image(bytes.next(), rows, cols);
                    }
                }));
        return combine(parts, ex, m.label());
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
        model.ship(sc);
        Extractor ex = Extractor.ship(sc, s);
        int batch = s.batch();
        int chunks = (count + batch - 1) / batch;
        int total = count;
        String sha = model.sha256();
        String name = model.name();
        String modelFile = m.model().toString();
        String sampler = m.sampler();
        int steps = m.steps();
        long seed = m.seed();
        double eta = m.eta();
        Double guidance = m.guidance();
        String classes = m.classes();
        sc.setJobDescription("ddpm fid: features of " + count + " samples of " + m.label());
        JavaRDD<FeatureAccumulator> parts = sc.parallelize(IntStream.range(0, chunks).boxed().toList(),
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
                    return acc == null ? List.<FeatureAccumulator>of().iterator() : List.of(acc).iterator();
                });
        return combine(parts, ex, m.label());
    }

    private static Iterator<FeatureAccumulator> accumulate(Extractor ex, int batch, Iterator<FidImage> images)
            throws IOException {
        FeatureExtractor fe = ex.open();
        FeatureAccumulator acc = null;
        List<FidImage> chunk = new ArrayList<>(batch);
        while (images.hasNext()) {
            chunk.add(images.next());
            if (chunk.size() == batch || !images.hasNext()) {
                float[] f = fe.extract(chunk);
                acc = acc == null ? new FeatureAccumulator(f.length / chunk.size()) : acc;
                acc.add(f, chunk.size());
                chunk.clear();
            }
        }
        return acc == null ? List.<FeatureAccumulator>of().iterator() : List.of(acc).iterator();
    }

    private static FeatureStatistics combine(JavaRDD<FeatureAccumulator> parts, Extractor ex, String label) {
        FeatureAccumulator all = parts.treeReduce(FeatureAccumulator::merge, 2);
        return all.statistics(ex.id(), label);
    }

    private static int partitions(JavaSparkContext sc, FidSettings s, int items) {
        int p = s.partitions() > 0 ? s.partitions() : sc.defaultParallelism();
        return Math.max(1, Math.min(p, items));
    }

    /** The extractor as shipped: its file name on executors, hash, output and identity. */
    private record Extractor(String name, String sha256, String featureOutput, String id) implements java.io.Serializable {

        static Extractor ship(JavaSparkContext sc, FidSettings s) throws IOException {
            Configuration hadoop = sc.hadoopConfiguration();
            ShippedFile file = ShippedFile.of(s.extractor(), "feature extractor", hadoop);
            String id;
            try (OnnxFeatureExtractor local = OnnxFeatureExtractor.open(file.localCopy(hadoop), s.featureOutput(), 1)) {
                id = local.id();
            }
            file.ship(sc);
            return new Extractor(file.name(), file.sha256(), s.featureOutput(), id);
        }

        FeatureExtractor open() throws IOException {
            return ExecutorSessions.extractor(sha256, java.nio.file.Path.of(SparkFiles.get(name)), featureOutput,
                    TaskResources.threads());
        }
    }
}
