package org.ddpm4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.ddpm4j.fid.FeatureStatistics;
import org.ddpm4j.fid.FidEvaluator;
import org.ddpm4j.fid.FrechetDistance;
import org.ddpm4j.fid.ImageSet;
import org.ddpm4j.fid.ModelSampleSource;
import org.ddpm4j.fid.OnnxFeatureExtractor;
import org.ddpm4j.fid.TinyOnnx;
import org.ddpm4j.runtime.image.PngFiles;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.runtime.pipeline.GenerationRequest;
import org.ddpm4j.runtime.pipeline.GenerationResult;
import org.ddpm4j.runtime.pipeline.SampleFiles;
import org.ddpm4j.runtime.sampling.VarianceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark jobs on {@code local[2]} (with up to 2 attempts per task), against what {@code ddpm sample}
 * and {@code ddpm fid} compute in one process. One context for all tests: starting Spark is the slow part.
 */
class SparkJobsTest {

    private static final int COUNT = 11;
    private static final int BATCH = 2;
    private static final long SEED = 40;

    @TempDir
    static Path dir;

    private static JavaSparkContext sc;
    private static Path model;
    private static Path reference;
    private static final AtomicInteger failedTasks = new AtomicInteger();

    @BeforeAll
    static void start() throws IOException {
        model = TinyOnnx.denoiser(dir.resolve("half-epsilon.onnx"), 1, 4);
        reference = ddpmSample(dir.resolve("reference"));
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2,2]").setAppName("ddpm4j-spark-test")
                .set("spark.ui.enabled", "false").set("spark.ui.showConsoleProgress", "false"));
        sc.sc().addSparkListener(new SparkListener() {
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
    }

    /** What {@code ddpm sample --model M --sampler ddim --steps 5 -n 11 --seed 40 --batch 2 --out DIR} writes. */
    private static Path ddpmSample(Path out) throws IOException {
        try (DiffusionPipeline p = DiffusionPipeline.open(model, OnnxOptions.DEFAULTS.withThreads(1))) {
            GenerationRequest request = GenerationRequest.builder().optSampler("ddim").optSeeds(SEED, COUNT)
                    .optBatchSize(BATCH).optEta(0).optVariance(VarianceType.fromId("fixed_small")).optSteps(5).build();
            GenerationResult result = p.generate(request);
            SampleFiles.writeImages(result, out, "sample-", p.modelSha256(), SampleFiles.settingsText("ddim", "linspace",
                    0.0, "fixed_small", p.sampler(request).clipSample(), false, model.getFileName().toString()));
        }
        return out;
    }

    private static SampleSettings settings(Path out, int partitions) {
        return SampleSettings.defaults(model.toString(), COUNT, out.toString()).withSampler("ddim", 5, BATCH)
                .withPartitions(partitions);
    }

    private static SampleSettings withSeed(SampleSettings s, long seed) {
        return s.withSeed(seed);
    }

    private static TreeSet<String> names(Path folder) throws IOException {
        try (Stream<Path> all = Files.walk(folder)) {
            return all.filter(p -> !p.equals(folder)).map(p -> folder.relativize(p).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static int[] pixels(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    /** Same files as the reference, pixel for pixel and text chunk for text chunk, a manifest, and nothing else. */
    private static void assertSameAsDdpmSample(Path out) throws IOException {
        TreeSet<String> expected = names(reference);
        expected.add(SampleJob.MANIFEST);
        expected.add(OutputLock.MARKER); // the released lock file, as ddpm sample leaves it
        assertEquals(expected, names(out), "the output folder holds the images, the manifest and the lock file only");
        List<String> manifest = Files.readAllLines(out.resolve(SampleJob.MANIFEST), StandardCharsets.UTF_8);
        assertEquals("index,seed,file,sha256", manifest.get(0));
        assertEquals(COUNT + 1, manifest.size());
        for (int k = 0; k < COUNT; k++) {
            String[] row = manifest.get(k + 1).split(",");
            String file = String.format("sample-%04d-seed%d.png", k, SEED + k);
            assertEquals(List.of(Integer.toString(k), Long.toString(SEED + k), file), List.of(row[0], row[1], row[2]));
            assertArrayEquals(pixels(reference.resolve(file)), pixels(out.resolve(file)), "pixels of " + file);
            Map<String, String> text = PngFiles.readText(out.resolve(file));
            assertEquals(PngFiles.readText(reference.resolve(file)), text, "text chunks of " + file);
            assertEquals(Long.toString(SEED + k), text.get(SampleFiles.KEY_SEED));
            assertEquals(HadoopFiles.sha256(Files.readAllBytes(out.resolve(file))), row[3], "manifest sha256 of " + file);
        }
    }

    @Test
    void samplesEqualDdpmSampleWhateverThePartitioning() throws IOException {
        for (int partitions : new int[] {1, 2, 5}) {
            Path out = dir.resolve("spark-" + partitions);
            SampleJob.Summary summary = SampleJob.run(sc, withSeed(settings(out, partitions), SEED));
            assertEquals(partitions, summary.partitions());
            assertEquals(COUNT, summary.count());
            assertTrue(summary.line().startsWith("ddim(5 steps") && summary.line().contains(": 11 images in "),
                    summary.line());
            assertSameAsDdpmSample(out);
        }
    }

    @Test
    void aConditionalModelDrawsTheClassOfEachSeedOrTheOneNamedAsDdpmSampleDoes() throws IOException {
        // the tiny conditional model draws class 0 dark, class 1 and the null label bright
        Path cond = TinyOnnx.conditionalDenoiser(dir.resolve("cond.onnx"), 1, 4);
        SampleSettings s = withSeed(SampleSettings.defaults(cond.toString(), 5, dir.resolve("cond").toString())
                .withSampler("ddim", 5, 2).withPartitions(2), 41);
        SampleJob.run(sc, s);
        for (int k = 0; k < 5; k++) {
            Path png = dir.resolve("cond").resolve(String.format("sample-%04d-seed%d.png", k, 41 + k));
            long label = (41 + k) % 2;
            assertEquals(Long.toString(label), PngFiles.readText(png).get(SampleFiles.KEY_CLASS), png.toString());
            assertEquals(label == 1, meanGrey(png) > 0.5, png + " mean " + meanGrey(png));
        }
        SampleJob.run(sc, s.withClasses("none", null).withOut(dir.resolve("cond-none").toString()));
        Path none = dir.resolve("cond-none").resolve("sample-0000-seed41.png");
        assertEquals("2", PngFiles.readText(none).get(SampleFiles.KEY_CLASS));
        assertTrue(meanGrey(none) > 0.5);
        SampleJob.run(sc, s.withClasses("dark", 2.0).withOut(dir.resolve("cond-dark").toString()));
        Path dark = dir.resolve("cond-dark").resolve("sample-0001-seed42.png");
        assertEquals("0", PngFiles.readText(dark).get(SampleFiles.KEY_CLASS));
        assertEquals("2.0", PngFiles.readText(dark).get(SampleFiles.KEY_GUIDANCE));
        assertTrue(meanGrey(dark) < 0.5);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.withClasses("all", null));
        assertTrue(e.getMessage().contains("--class all (one grid row per class) is ddpm sample's"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SampleJob.run(sc,
                settings(dir.resolve("plain-class"), 1).withClasses("1", null)));
        assertTrue(e.getMessage().contains("is an unconditional model (no ddpm.class_count)"), e.getMessage());
    }

    private static double meanGrey(Path png) throws IOException {
        double sum = 0;
        int[] rgb = pixels(png);
        for (int p : rgb) {
            sum += (p & 0xff) / 255.0;
        }
        return sum / rgb.length;
    }

    @Test
    void aTaskThatFailsMidWriteIsRetriedAndLeavesNoStrayFiles() throws IOException, InterruptedException {
        int before = failedTasks.get();
        Path out = dir.resolve("spark-retried");
        SampleJob.run(sc, withSeed(settings(out, 2), SEED).withFailFirstAttempt(true));
        for (int i = 0; i < 100 && failedTasks.get() == before; i++) {
            Thread.sleep(100); // task-end events reach listeners asynchronously
        }
        assertEquals(before + 1, failedTasks.get(), "the first attempt of partition 0 failed once");
        assertSameAsDdpmSample(out);
    }

    @Test
    void largeRunsAreShardedAndFidTakesTheFirstNByIndex() throws IOException {
        // 25 images at 10 per folder stand for a million at 10,000 (SampleLayoutTest checks the names at any n)
        Path out = dir.resolve("sharded");
        int n = 25;
        SampleJob.Summary r = SampleJob.run(sc, SampleSettings.defaults(model.toString(), n, out.toString())
                .withSampler("ddim", 1, 4).withPartitions(3).withFilesPerFolder(10));
        assertEquals(n, r.count());
        assertEquals("0000/sample-0000-seed0.png", r.firstFile());
        assertEquals("0020/sample-0024-seed24.png", r.lastFile());
        try (Stream<Path> top = Files.list(out)) {
            assertEquals(List.of(OutputLock.MARKER, "0000", "0010", "0020", SampleJob.MANIFEST), top.map(p -> p.getFileName().toString())
                    .sorted().toList());
        }
        for (String shard : List.of("0000", "0010")) {
            try (Stream<Path> files = Files.list(out.resolve(shard))) {
                assertEquals(10, files.count());
            }
        }
        List<String> manifest = Files.readAllLines(out.resolve(SampleJob.MANIFEST));
        assertEquals(n + 1, manifest.size());
        for (int k = 0; k < n; k++) {
            String file = String.format("%04d/sample-%04d-seed%d.png", k / 10 * 10, k, k);
            assertTrue(manifest.get(k + 1).startsWith(k + "," + k + "," + file + ","), manifest.get(k + 1));
            assertTrue(Files.isRegularFile(out.resolve(file)), file);
        }

        // -n 15 of the folder: the first 15 by index, the first folder and half the second
        Path extractor = TinyOnnx.extractor(dir.resolve("extractor-shards.onnx"), new long[] {-1, 1, 4, 4}, Map.of());
        Path first15 = Files.createDirectories(dir.resolve("first-15"));
        for (int k = 0; k < 15; k++) {
            String file = String.format("%04d/sample-%04d-seed%d.png", k / 10 * 10, k, k);
            Files.copy(out.resolve(file), first15.resolve(Path.of(file).getFileName()));
        }
        FeatureStatistics local;
        try (OnnxFeatureExtractor ex = OnnxFeatureExtractor.open(extractor, "features", 1)) {
            local = FidEvaluator.builder().optExtractor(ex).optBatchSize(4).build()
                    .statistics(ImageSet.parse(first15.toString(), dir));
        }
        FeatureStatistics spark = FidJob.statistics(sc, out.toString(),
                new FidSettings(extractor.toString(), "features", 15, 4, dir.toString(), "cpu", 2));
        assertEquals(15, spark.count());
        assertArrayEquals(local.mean(), spark.mean(), 1e-12);
        assertArrayEquals(local.covariance(), spark.covariance(), 1e-12);
        assertEquals(n, FidJob.statistics(sc, out.toString(), new FidSettings(extractor.toString(), "features", 0,
                4, dir.toString(), "cpu", 2)).count());
    }

    @Test
    void theTransformerAddsDdpmSamplesImagesToADataFrameThatParquetKeeps() throws IOException {
        SparkSession spark = SparkSession.builder().getOrCreate(); // the running context
        Dataset<Row> seeds = spark.range(SEED, SEED + COUNT, 1, 1).toDF("seed");
        DdpmSampleTransformer t = new DdpmSampleTransformer().setModelPath(model.toString()).setSampler("ddim")
                .setSteps(5).setBatchSize(BATCH);
        Dataset<Row> images = t.transform(seeds);
        assertEquals(List.of("seed", "image"), List.of(images.schema().fieldNames()));
        assertEquals(DdpmSampleTransformer.imageSchema(), images.schema().apply("image").dataType());
        Path parquet = dir.resolve("images.parquet");
        images.write().parquet(parquet.toString());
        List<Row> back = spark.read().parquet(parquet.toString()).orderBy("seed").collectAsList();
        assertEquals(COUNT, back.size());
        for (int k = 0; k < COUNT; k++) {
            Row image = back.get(k).getStruct(1);
            assertEquals(SEED + k, back.get(k).getLong(0));
            assertEquals("ddpm4j:half-epsilon.onnx?seed=" + (SEED + k), image.getString(0));
            assertEquals(List.of(4, 4, 1, DdpmSampleTransformer.CV_8UC1),
                    List.of(image.getInt(1), image.getInt(2), image.getInt(3), image.getInt(4)));
            // the PNG's stored gray samples (getRGB would convert a gray PNG's values to sRGB)
            BufferedImage png = ImageIO.read(reference.resolve(String.format("sample-%04d-seed%d.png", k, SEED + k))
                    .toFile());
            int[] expected = png.getRaster().getSamples(0, 0, 4, 4, 0, (int[]) null);
            byte[] data = (byte[]) image.get(5);
            int[] found = new int[data.length];
            for (int i = 0; i < data.length; i++) {
                found[i] = data[i] & 0xff;
            }
            assertArrayEquals(expected, found, "pixels of seed " + (SEED + k) + " equal ddpm sample's");
        }

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.setSeedCol("nope").transform(seeds));
        assertEquals("seedCol 'nope' is not a column; found seed", e.getMessage());
    }

    @Test
    void distributedFidEqualsLocalFid() throws IOException {
        Path extractor = TinyOnnx.extractor(dir.resolve("extractor.onnx"), new long[] {-1, 1, 4, 4}, Map.of());
        Path folder = Files.createDirectories(dir.resolve("fid-folder"));
        java.util.Random rnd = new java.util.Random(3);
        for (int i = 0; i < 19; i++) { // seeded uniform gray images, another distribution than the model's
            BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
            for (int p = 0; p < 16; p++) {
                img.getRaster().setSample(p % 4, p / 4, 0, rnd.nextInt(256));
            }
            ImageIO.write(img, "png", folder.resolve(String.format("img-%02d.png", i)).toFile());
        }
        String samples = "model:" + model + "?sampler=ddim&steps=5&n=23&seed=100";
        int batch = 4;
        FrechetDistance.Result local;
        FeatureStatistics localA;
        try (OnnxFeatureExtractor ex = OnnxFeatureExtractor.open(extractor, "features", 1)) {
            FidEvaluator evaluator = FidEvaluator.builder().optExtractor(ex).optBatchSize(batch)
                    .optSampleSource(ModelSampleSource.factory(OnnxOptions.DEFAULTS.withThreads(1))).build();
            localA = evaluator.statistics(ImageSet.parse(folder.toString(), dir));
            local = FrechetDistance.between(localA, evaluator.statistics(ImageSet.parse(samples, dir)));
        }
        FidSettings s = new FidSettings(extractor.toString(), "features", 0, batch, dir.toString(), "cpu", 3);
        FidJob.Result spark = FidJob.fid(sc, folder.toString(), samples, s);
        assertEquals(19, spark.a().count());
        assertEquals(23, spark.b().count());
        assertTrue(local.fid() > 1e-2, "a non-trivial distance: " + local.fid());
        assertEquals(local.fid(), spark.fid().fid(), 1e-6 * local.fid(), "FID on local[2] vs in one process");
        assertEquals(localA.extractor(), spark.a().extractor());
        assertArrayEquals(localA.mean(), spark.a().mean(), 1e-12);
    }

    @Test
    void fashionMnistSetsAreReadByTheDriverAndMeasuredOnExecutors() throws IOException {
        Path extractor = TinyOnnx.extractor(dir.resolve("extractor-idx.onnx"), new long[] {-1, 1, 4, 4}, Map.of());
        Path data = Files.createDirectories(dir.resolve("idx"));
        int n = 30;
        java.util.Random rnd = new java.util.Random(8);
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(
                Files.newOutputStream(data.resolve("t10k-images-idx3-ubyte")))) {
            out.writeInt(0x00000803);
            out.writeInt(n);
            out.writeInt(4);
            out.writeInt(4);
            for (int i = 0; i < n * 16; i++) {
                out.writeByte(rnd.nextInt(256));
            }
        }
        FeatureStatistics local;
        try (OnnxFeatureExtractor ex = OnnxFeatureExtractor.open(extractor, "features", 1)) {
            local = FidEvaluator.builder().optExtractor(ex).optBatchSize(8).optLimit(25).build()
                    .statistics(ImageSet.parse("fashion-mnist-test", data));
        }
        FeatureStatistics spark = FidJob.statistics(sc, "fashion-mnist-test",
                new FidSettings(extractor.toString(), "features", 25, 8, data.toString(), "cpu", 2));
        assertEquals(25, spark.count(), "-n 25 of 30 images");
        assertEquals(local.source(), spark.source());
        assertArrayEquals(local.mean(), spark.mean(), 1e-12);
        assertArrayEquals(local.covariance(), spark.covariance(), 1e-12);
    }
}
