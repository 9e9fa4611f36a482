package org.ddpm4j.tools;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.ddpm4j.runtime.cli.DeviceOption;
import org.ddpm4j.runtime.cli.ParallelBatchesOption;
import org.ddpm4j.runtime.cli.SeedOption;
import org.ddpm4j.runtime.cli.ThreadsOption;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.fid.ClassAccuracy;
import org.ddpm4j.fid.FeatureStatistics;
import org.ddpm4j.fid.FidEvaluator;
import org.ddpm4j.fid.FidProgress;
import org.ddpm4j.fid.FidStatsFile;
import org.ddpm4j.tools.fid.FidTable;
import org.ddpm4j.fid.FrechetDistance;
import org.ddpm4j.fid.IdxImageSource;
import org.ddpm4j.fid.ImageSet;
import org.ddpm4j.fid.ImageSource;
import org.ddpm4j.fid.ModelSampleSource;
import org.ddpm4j.fid.OnnxFeatureExtractor;
import org.ddpm4j.fid.SampleSourceFactory;
import org.ddpm4j.fid.SamplerSetting;
import org.ddpm4j.fid.SetMeasurement;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ddpm fid}: the Frechet distance between two image sets, the statistics of one set, or the
 * FID table of a model (noise, the real-data floor, the model at several sampler settings).
 */
@Command(name = "fid",
        mixinStandardHelpOptions = true,
        subcommands = {org.ddpm4j.tools.fid.ExtractorTrainCommand.class},
        description = {
            "Frechet distance (FID) between two image sets, measured with a feature extractor ONNX model.",
            "A SET is: a folder of PNG/JPEG images, a .fidstats file (or stats:FILE), fashion-mnist-train, "
                    + "fashion-mnist-test, noise[:n=N&seed=S&size=HxW&channels=C], or "
                    + "model:m.onnx?sampler=dpmpp-sde&steps=20&n=1000&seed=0&eta=0 (the sampler and steps default to ddpm"
                    + " sample's; a class-conditional model also takes "
                    + "guidance=W and class=NAME|LABEL|all|none; by default the image of seed s is drawn for class s mod K at w=1). "
                    + "Model samples are drawn on --device; the extractor runs on the CPU.",
            "For a class-conditional model's samples, the class accuracy is the share that the extractor's "
                    + "classifier (its logits output) assigns to the class they were drawn for.",
            "",
            "Examples (with --extractor e.onnx):",
            "  ddpm fid samples/ fashion-mnist-test",
            "  ddpm fid fashion-mnist-test --save-stats test.fidstats",
            "  ddpm fid 'model:m.onnx?sampler=ddim&steps=50&n=1000' test.fidstats",
            "  ddpm fid --table --model m.onnx -n 1000 --settings dpmpp-sde-20,dpmpp-sde-10,ddim-50",
            "  ddpm fid --table --model conditional.onnx -n 1000 --settings dpmpp-20@w1,dpmpp-20@w2,dpmpp-20@w4",
        })
public final class FidCommand implements Callable<Integer> {

    /** Where the project's own Fashion-MNIST feature extractor is looked for when --extractor is not given. */
    public static final Path DEFAULT_EXTRACTOR = Path.of("models", "fid", "fashion-mnist-features.onnx");
    /** Environment variable naming a default extractor. */
    public static final String EXTRACTOR_ENV = "DDPM_FID_EXTRACTOR";
    /** Environment variable naming the Fashion-MNIST folder. */
    public static final String DATA_ENV = "DDPM_FASHION_MNIST";

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "SET", description = "One set (statistics only, with --save-stats) or two sets to compare.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--extractor", paramLabel = "FILE",
            description = "Feature extractor ONNX model: one float input [B,C,H,W] with fixed C (1 or 3), H, W; "
                    + "metadata fid.input_range = 0,1 (default) or -1,1. Default: $" + EXTRACTOR_ENV + ", else "
                    + "models/fid/fashion-mnist-features.onnx if present.")
    Path extractorFile;

    @Option(names = "--features", paramLabel = "OUTPUT",
            description = "Extractor output holding the features (default: metadata fid.features, else the first output); flattened per image.")
    String features;

    @Option(names = "--save-stats", paramLabel = "FILE", description = "Write the statistics of the first set (the reference set with --table).")
    Path saveStats;

    @Option(names = "--save-stats-b", paramLabel = "FILE", description = "Write the statistics of the second set.")
    Path saveStatsB;

    @Option(names = {"-n", "--images"}, paramLabel = "N",
            description = "At most N images per set (0: all; model samples and noise then default to their n=, else 1000; "
                    + "--table: images per row, default 1000).",
            defaultValue = "0")
    long images;

    @Option(names = "--batch", paramLabel = "B", description = "Images per batch (default ${DEFAULT-VALUE}).", defaultValue = "64")
    int batch;

    /** --threads: of the extractor and of the model samples. */
    @Mixin
    ThreadsOption threads;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Fashion-MNIST IDX folder (default $" + DATA_ENV + ", else /usr/share/datasets/fashion-mnist).")
    Path dataDir;

    /** --device: where model samples are drawn (the extractor runs on the CPU). */
    @Mixin
    DeviceOption device;

    /** --parallel-batches: batches of a model's set sampled at once. */
    @Mixin
    ParallelBatchesOption parallel;

    @Option(names = "--no-progress", description = "Do not draw progress bars.")
    boolean noProgress;

    @Option(names = "--table", description = "Print and write the FID table of --model: noise, the real-data floor, the model at each --settings "
            + "(the model's image k drawn with seed --seed + k, the noise from --seed).")
    boolean table;

    @Option(names = "--model", paramLabel = "FILE", description = "The model of --table.")
    Path model;

    @Option(names = "--settings", paramLabel = "SAMPLER-STEPS[@wW|@none]", split = ",",
            description = "Sampler settings of --table, with a guidance scale W for a class-conditional model "
                    + "(dpmpp-20@w2; without @w a conditional model is sampled at w=1, every class in turn), or"
                    + " @none for its null label (the model without a class) (default ${DEFAULT-VALUE}).",
            defaultValue = "dpmpp-sde-20,dpmpp-sde-10,dpmpp-20,ddim-50")
    List<String> settings;

    @Option(names = "--reference", paramLabel = "SET", description = "Reference set of --table (default ${DEFAULT-VALUE}); all its images are used.",
            defaultValue = "fashion-mnist-test")
    String reference;

    @Option(names = "--floor", paramLabel = "SET", description = "Real set measured against the reference as the floor of --table (default ${DEFAULT-VALUE}).",
            defaultValue = "fashion-mnist-train")
    String floor;

    /** --seed: of --table's model samples and noise. */
    @Mixin
    SeedOption seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Where --table writes fid-table.csv, fid-table.png and reference.fidstats (default ${DEFAULT-VALUE}).",
            defaultValue = "fid-table")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (batch <= 0) {
            throw new ParameterException(spec.commandLine(), "--batch must be positive, found " + batch);
        }
        if (images < 0) {
            throw new ParameterException(spec.commandLine(), "-n must be 0 (all) or positive, found " + images);
        }
        Path data = fashionMnistFolder(dataDir);
        if (table) {
            return runTable(data);
        }
        if (sets.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "expected one or two image sets (or --table --model m.onnx)");
        }
        if (model != null) {
            throw new ParameterException(spec.commandLine(), "--model belongs to --table; to measure a model's samples use the set model:"
                    + model + " (ddpm sample's sampler) or model:" + model + "?sampler=ddim&steps=50");
        }
        if (sets.size() > 2) {
            throw new ParameterException(spec.commandLine(), "expected one or two image sets, found " + sets.size() + ": "
                    + String.join(" ", sets) + " (quote a model: set, and pass folders rather than file globs)");
        }
        if (sets.size() == 1 && saveStats == null) {
            throw new ParameterException(spec.commandLine(), "one set given: pass a second set to compare with, or --save-stats FILE to save its statistics");
        }
        if (saveStats != null) {
            OutputChecks.fileToCreate("--save-stats", saveStats);
        }
        if (saveStatsB != null) {
            OutputChecks.fileToCreate("--save-stats-b", saveStatsB);
        }
        List<ImageSet> parsed = new ArrayList<>();
        for (String s : sets) {
            parsed.add(ImageSet.parse(s, data));
        }
        // check every model set's settings (sampler, steps, guidance, class) before the long work starts
        for (ImageSet set : parsed) {
            if (set instanceof ImageSet.ModelSamples m) {
                sampleSources().open(m, 1, 1).close();
            }
        }
        boolean needsExtractor = parsed.stream().anyMatch(s -> !(s instanceof ImageSet.Stats));
        try (OnnxFeatureExtractor extractor = needsExtractor ? openExtractor() : null) {
            FidEvaluator evaluator = evaluator(extractor, images);
            SetMeasurement ma = evaluator.measure(parsed.get(0));
            FeatureStatistics a = ma.statistics();
            warnIfFewImages(parsed.get(0).label(), a);
            save(a, saveStats);
            PrintWriter outw = spec.commandLine().getOut();
            if (parsed.size() == 1) {
                outw.printf(Locale.ROOT, "%s: %d images, %d features%n", parsed.get(0).label(), a.count(), a.dim());
                printAccuracy(outw, parsed.get(0), ma);
                outw.flush();
                return 0;
            }
            SetMeasurement mb = evaluator.measure(parsed.get(1));
            FeatureStatistics b = mb.statistics();
            warnIfFewImages(parsed.get(1).label(), b);
            save(b, saveStatsB);
            FrechetDistance.Result r = FrechetDistance.between(a, b);
            outw.printf(Locale.ROOT, "FID %.4f  (%s: %d images, %s: %d images, %d features; mean term %.4f, trace term %.4f)%n",
                    r.fid(), parsed.get(0).label(), a.count(), parsed.get(1).label(), b.count(), a.dim(),
                    r.meanTerm(), r.traceTerm());
            printAccuracy(outw, parsed.get(0), ma);
            printAccuracy(outw, parsed.get(1), mb);
            outw.flush();
            return 0;
        }
    }

    /** The class accuracy line of a class-conditional model's samples (nothing for other sets). */
    private static void printAccuracy(PrintWriter outw, ImageSet set, SetMeasurement m) {
        if (m.hasAccuracy()) {
            ClassAccuracy acc = m.accuracy();
            outw.printf(Locale.ROOT, "class accuracy %.2f%% (%s: %d of %d samples classified as the class they were drawn for)%n",
                    100 * acc.share(), set.label(), acc.correct(), acc.total());
        } else if (set instanceof ImageSet.ModelSamples && !m.accuracyNote().equals(FidEvaluator.NOT_DRAWN_FOR_CLASSES)) {
            outw.printf(Locale.ROOT, "class accuracy n/a (%s: %s)%n", set.label(), m.accuracyNote());
        }
    }

    private int runTable(Path data) throws IOException {
        if (model == null) {
            throw new ParameterException(spec.commandLine(), "--table needs --model m.onnx");
        }
        if (!sets.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--table takes no SET arguments (use --reference and --floor), found " + sets);
        }
        if (!Files.isRegularFile(model)) {
            throw new java.nio.file.NoSuchFileException(model.toString());
        }
        OutputChecks.folderToCreate("--out", out);
        if (saveStats != null) {
            OutputChecks.fileToCreate("--save-stats", saveStats);
        }
        List<SamplerSetting> parsedSettings = new ArrayList<>();
        for (String s : settings) {
            try {
                parsedSettings.add(SamplerSetting.parse(s));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--settings: " + e.getMessage());
            }
        }
        long n = images > 0 ? images : FidEvaluator.DEFAULT_SAMPLE_COUNT;
        ImageSet ref = ImageSet.parse(reference, data);
        ImageSet floorSet = ImageSet.parse(floor, data);
        // check every sampler setting against the model before the long work starts
        SampleSourceFactory factory = sampleSources();
        List<Double> guidance = new ArrayList<>();
        for (SamplerSetting s : parsedSettings) {
            try (ImageSource check = factory.open(s.samples(model, 1, seed.value()), 1, 1)) {
                // a conditional model without @w is sampled at w = 1; an unconditional one has no guidance
                guidance.add(check.classCount() > 0 && !s.nullLabel() ? (s.guidance() == null ? 1.0 : s.guidance()) : null);
            }
        }
        try (OnnxFeatureExtractor extractor = openExtractor()) {
            long t0 = System.nanoTime();
            FeatureStatistics refStats = evaluator(extractor, 0).statistics(ref);
            save(refStats, saveStats != null ? saveStats : out.resolve("reference.fidstats"));
            FidEvaluator candidates = evaluator(extractor, n);
            List<FidTable.Row> rows = new ArrayList<>();
            rows.add(row(candidates, "noise", "", 0, null, new ImageSet.Noise((int) n, 0, 0, 0, seed.value()), refStats, ref));
            rows.add(row(candidates, floor + " (floor)", "", 0, null, floorSet, refStats, ref));
            for (int i = 0; i < parsedSettings.size(); i++) {
                SamplerSetting s = parsedSettings.get(i);
                rows.add(row(candidates, "model " + s.name(), s.sampler(), s.steps(), guidance.get(i),
                        s.samples(model, (int) n, seed.value()), refStats, ref));
            }
            Files.createDirectories(out);
            Path csv = out.resolve("fid-table.csv");
            Path png = out.resolve("fid-table.png");
            FidTable.writeCsv(rows, csv);
            FidTable.writeChart(rows, "FID of " + model.getFileName() + " vs " + ref.label() + " (" + refStats.count()
                    + " images), " + n + " images per row", png);
            PrintWriter outw = spec.commandLine().getOut();
            outw.print(FidTable.format(rows));
            rows.stream().filter(r -> r.guidance() != null && Double.isNaN(r.classAccuracy())).findFirst()
                    .ifPresent(r -> outw.printf(Locale.ROOT, "class accuracy n/a: extractor %s has no class scores "
                            + "for this model's classes (an output '%s' [B, K] or metadata %s)%n", extractor.id(),
                            OnnxFeatureExtractor.LOGITS_OUTPUT, OnnxFeatureExtractor.LOGITS_KEY));
            outw.printf(Locale.ROOT, "reference %s: %d images; extractor %s; total %.1f s%nwrote %s and %s%n",
                    ref.label(), refStats.count(), extractor.id(), (System.nanoTime() - t0) / 1e9, csv, png);
            outw.flush();
            return 0;
        }
    }

    private FidTable.Row row(FidEvaluator evaluator, String name, String sampler, int steps, Double guidance,
            ImageSet set, FeatureStatistics refStats, ImageSet ref) throws IOException {
        long t0 = System.nanoTime();
        SetMeasurement m = evaluator.measure(set);
        FeatureStatistics stats = m.statistics();
        warnIfFewImages(name, stats);
        double fid = FrechetDistance.between(stats, refStats).fid();
        return new FidTable.Row(name, sampler, steps, guidance, stats.count(), ref.label(), fid,
                m.hasAccuracy() ? m.accuracy().share() : Double.NaN, (System.nanoTime() - t0) / 1e9);
    }

    /** Where Fashion-MNIST's IDX files are: {@code given}, else {@code $DDPM_FASHION_MNIST}, else Debian's folder. */
    public static Path fashionMnistFolder(Path given) {
        return given != null ? given
                : System.getenv(DATA_ENV) != null ? Path.of(System.getenv(DATA_ENV)) : IdxImageSource.DEFAULT_FASHION_MNIST;
    }

    /** A warning on standard error when a set has fewer images than features (a singular covariance). */
    private void warnIfFewImages(String label, FeatureStatistics stats) {
        stats.fewImagesWarning(label).ifPresent(w -> {
            spec.commandLine().getErr().println(w);
            spec.commandLine().getErr().flush();
        });
    }

    private FidEvaluator evaluator(OnnxFeatureExtractor extractor, long limit) {
        return FidEvaluator.builder()
                .optExtractor(extractor)
                .optBatchSize(batch)
                .optLimit(limit)
                .optProgress(noProgress ? FidProgress.NONE : new BarProgress())
                .optSampleSource(sampleSources())
                .build();
    }

    /**
     * How model samples are drawn: the runtime's pipeline on --device with --threads, and (--parallel-batches, by
     * default one per thread on the CPU) several batches at once.
     */
    private SampleSourceFactory sampleSources() {
        ParallelBatchesOption.Plan plan = parallel.plan(threads.value(), device.device(), Integer.MAX_VALUE);
        return ModelSampleSource.factory(OnnxOptions.DEFAULTS.withDevice(device.device())
                .withThreads(plan.intraOpThreads()), plan.parallelBatches());
    }

    private OnnxFeatureExtractor openExtractor() throws IOException {
        Path file = extractorFile;
        if (file == null && System.getenv(EXTRACTOR_ENV) != null) {
            file = Path.of(System.getenv(EXTRACTOR_ENV));
        }
        if (file == null) {
            file = ShippedFiles.find(DEFAULT_EXTRACTOR).orElse(null);
        }
        if (file == null) {
            throw new IllegalArgumentException("no feature extractor: pass --extractor file.onnx (a model whose features are a "
                    + "named output), set $" + EXTRACTOR_ENV + ", or place one at " + DEFAULT_EXTRACTOR);
        }
        return OnnxFeatureExtractor.open(file, features, threads.value());
    }

    private void save(FeatureStatistics stats, Path file) throws IOException {
        if (file != null) {
            FidStatsFile.write(stats, file);
            spec.commandLine().getErr().println("wrote " + file + " (" + stats.count() + " images, " + stats.dim() + " features)");
        }
    }

    /** A console progress bar on standard error. */
    private static final class BarProgress implements FidProgress {
        private ProgressBar bar;

        @Override
        public void start(String label, long total) {
            bar = ProgressBars.bar(label.length() > 28 ? "..." + label.substring(label.length() - 25) : label, total,
                    " img", System.err);
        }

        @Override
        public void advance(long n) {
            if (bar != null) {
                bar.stepBy(n);
            }
        }

        @Override
        public void end() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
