package org.ddpm4j.tools;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.ddpm4j.runtime.cli.ClassOptions;
import org.ddpm4j.runtime.cli.ImageCountOptions;
import org.ddpm4j.runtime.cli.ParallelBatchesOption;
import org.ddpm4j.runtime.cli.RuntimeOptions;
import org.ddpm4j.runtime.cli.SamplingOptions;
import org.ddpm4j.runtime.cli.SeedOption;
import org.ddpm4j.runtime.io.RunFolderLock;
import org.ddpm4j.runtime.model.ClassLabels;
import org.ddpm4j.runtime.onnx.OnnxDenoiser;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.runtime.pipeline.GenerationRequest;
import org.ddpm4j.runtime.pipeline.GenerationResult;
import org.ddpm4j.runtime.pipeline.LikePng;
import org.ddpm4j.runtime.pipeline.SampleFiles;
import org.ddpm4j.runtime.sampling.Samplers;
import org.ddpm4j.runtime.sampling.TimestepSpacing;
import org.ddpm4j.runtime.sampling.VarianceType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ddpm sample}: images from an ONNX model with the runtime's samplers; one PNG per image (seed,
 * sampler, steps and model hash in its text chunks), optionally a grid and an animated GIF.
 */
@Command(name = "sample",
        mixinStandardHelpOptions = true,
        description = {
            "Generate images from a ddpm4j ONNX model (ONNX Runtime, no DJL).",
            "Image k uses seed --seed + k, so any image can be made again alone.",
            "",
            "  ddpm sample --sampler dpmpp --steps 20 -n 64 --seed 7 --out samples/ \\",
            "      --grid --gif",
            "",
            "Class-conditional models: each image is drawn for the class of its seed",
            "(seed mod K) unless --class names one: --class sneaker (or 7) --guidance 3;",
            "--class all: -n images of every class, one grid row each; --class none: the",
            "null label (the model without a class).",
        })
public final class SampleCommand implements Callable<Integer> {

    /** The shipped model, looked for relative to the working folder and the repository root. */
    public static final Path SHIPPED_MODEL = Path.of("models", "fashion-mnist", "model.onnx");

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE",
            description = "The ONNX model (default: the shipped models/fashion-mnist/model.onnx).")
    Path model;

    /** The default sampler, {@link SamplingOptions#DEFAULT_SAMPLER} (see docs/SAMPLERS.md). */
    public static final String DEFAULT_SAMPLER = SamplingOptions.DEFAULT_SAMPLER;
    /** The default spacing of {@link #DEFAULT_SAMPLER}. */
    public static final String DEFAULT_SPACING = Samplers.defaultSpacing(DEFAULT_SAMPLER).id();

    /** --sampler, --steps, --spacing, --eta, --variance, --clip, --clipped-model-output. */
    @Mixin
    SamplingOptions sampling;

    /** -n, --batch. */
    @Mixin
    ImageCountOptions images;

    @Mixin
    SeedOption seed;

    @Option(names = "--like", paramLabel = "PNG",
            description = "Draw again the image a ddpm sample PNG holds (one image unless -n is given): its model "
                    + "(checked by sha256), sampler, steps, spacing, eta, variance, clipping, seed, class and guidance; "
                    + "options given as well override them.")
    Path like;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "samples", description = "Output folder (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--grid", description = "Also write grid.png with all images.")
    boolean grid;

    @Option(names = "--columns", paramLabel = "C", description = "Grid columns (default: a square grid).")
    Integer columns;

    @Option(names = "--scale", paramLabel = "K", defaultValue = "2", description = "Grid and GIF pixel scale (default ${DEFAULT-VALUE}).")
    int scale;

    @Option(names = "--gif", description = "Also write reverse.gif, the reverse process as an animated grid.")
    boolean gif;

    @Option(names = "--gif-every", paramLabel = "K",
            description = "GIF frame every K steps (default: about 25 frames).")
    Integer gifEvery;

    @Option(names = "--no-images", description = "Do not write one PNG per image.")
    boolean noImages;

    /** --device, --threads, --optimization. */
    @Mixin
    RuntimeOptions runtime;

    /** --parallel-batches. */
    @Mixin
    ParallelBatchesOption parallel;

    /** --class, --guidance. */
    @Mixin
    ClassOptions classOptions;

    /** --init, --strength, --mask, --jump-length, --jump-n-sample, --interpolate, --frames, --no-resize. */
    @Mixin
    EditOptions edit;

    @Option(names = "--no-progress", description = "No progress (a bar on a terminal, else a line every few seconds).")
    boolean noProgress;

    /** The lock on --out, held while images are drawn and written. */
    private RunFolderLock outLock;

    @Override
    public Integer call() throws Exception {
        try {
            return sample();
        } finally {
            if (outLock != null) {
                outLock.close();
            }
        }
    }

    private Integer sample() throws Exception {
        PrintWriter outWriter = spec.commandLine().getOut();
        Map<String, String> likeText = like != null ? likeSettings(like) : Map.of();
        if (like != null) {
            edit.like(like, likeText);
        }
        edit.check(classOptions.value());
        Path modelFile = like != null ? LikeModelFinder.find(like, likeText, model) : resolveModel(model);
        // precedence: an option given on the command line, then the --like PNG's setting, then the option's default
        String samplerId = (given("--sampler") ? sampling.sampler()
                : likeText.getOrDefault(SampleFiles.KEY_SAMPLER_NAME, edit.defaultSampler(sampling.sampler()))).trim().toLowerCase(Locale.ROOT);
        String spacingId = sampling.spacing() != null ? sampling.spacing() : likeText.get(SampleFiles.KEY_SPACING);
        if (spacingId == null) {
            spacingId = Samplers.defaultSpacing(samplerId).id();
        }
        TimestepSpacing spacingValue = TimestepSpacing.fromId(spacingId);
        int n = edit.interpolating() ? edit.imageCount() : given("-n") || like == null ? images.count() : 1;
        long firstSeed = edit.interpolating() ? edit.seedA()
                : given("--seed") || like == null ? seed.value() : Long.parseLong(likeText.get(SampleFiles.KEY_SEED));
        double etaValue = given("--eta") || !likeText.containsKey(SampleFiles.KEY_ETA) ? sampling.eta()
                : Double.parseDouble(likeText.get(SampleFiles.KEY_ETA));
        VarianceType varianceValue = VarianceType.fromId(given("--variance") ? sampling.variance()
                : likeText.getOrDefault(SampleFiles.KEY_VARIANCE, sampling.variance()));
        boolean cmo = sampling.clippedModelOutput() != null ? sampling.clippedModelOutput()
                : Boolean.parseBoolean(likeText.getOrDefault(SampleFiles.KEY_CLIPPED_MODEL_OUTPUT, "false"));
        Boolean clipValue = sampling.clip() != null ? sampling.clip()
                : likeText.containsKey(SampleFiles.KEY_CLIP) ? Boolean.valueOf(likeText.get(SampleFiles.KEY_CLIP)) : null;
        int stepsValue = sampling.steps() != null ? sampling.steps()
                : likeText.containsKey(SampleFiles.KEY_STEPS) ? Integer.parseInt(likeText.get(SampleFiles.KEY_STEPS))
                : SamplingOptions.defaultSteps(samplerId);
        if (n < 1) {
            throw new IllegalArgumentException("-n must be at least 1, found " + n);
        }
        if (scale < 1) {
            throw new IllegalArgumentException("--scale must be at least 1, found " + scale);
        }
        SampleBounds.check(firstSeed, n, columns, gifEvery, classOptions.guidance());
        if (!noImages || grid || gif || edit.interpolating()) {
            OutputChecks.folderToCreate("--out", out);
            outLock = RunFolderLock.acquire(out, "ddpm sample"); // creates --out (removed again if nothing is written)
            OutputChecks.removeLeftovers("ddpm sample", out, spec.commandLine().getErr());
        }
        // the images of the run, as far as known before the model is open (--class all: at least 2)
        int imagesToDraw = edit.interpolating() ? edit.imageCount()
                : ClassOptions.ALL.equalsIgnoreCase(String.valueOf(classOptions.value()).trim()) ? Math.max(2, n) : n;
        OnnxOptions runtimeOptions = runtime.onnxOptions();
        ParallelBatchesOption.Plan plan = parallel.plan(runtime.threads(), runtimeOptions.device(), imagesToDraw);
        OnnxOptions options = runtimeOptions.withThreads(plan.intraOpThreads())
                .withWarnings(line -> spec.commandLine().getErr().println(line));
        GenerationRequest.Builder b = GenerationRequest.builder().optSampler(samplerId).optSeeds(firstSeed, n)
                .optBatchSize(images.batch()).optEta(etaValue).optVariance(varianceValue).optSteps(stepsValue)
                .optSpacing(spacingValue).optClippedModelOutput(cmo);
        if (clipValue != null) {
            b.optClipSample(clipValue);
        }
        OnnxDenoiser denoiser = OnnxDenoiser.open(modelFile, options);
        int count = n;
        int cols = columns != null ? columns : (int) Math.ceil(Math.sqrt(n));
        try (DiffusionPipeline pipeline = DiffusionPipeline.of(denoiser, plan.parallelBatches())) {
            if (like != null) {
                String wanted = likeText.get(SampleFiles.KEY_MODEL_SHA256);
                if (wanted != null && !wanted.equals(denoiser.sha256())) {
                    throw new IllegalArgumentException(like + " was drawn by a model with sha256 " + wanted + " ("
                            + likeText.getOrDefault(SampleFiles.KEY_MODEL, "name not recorded") + "), found "
                            + denoiser.sha256() + " in " + modelFile + "; pass that model with --model");
                }
            }
            String classValue = classOptions.value() != null ? classOptions.value()
                    : likeClass(likeText, denoiser.classCount());
            boolean nullLabel = ClassLabels.isNone(classValue);
            // the --like PNG's guidance belongs to its class: --class none typed with it draws at w = 1
            Double guidanceValue = classOptions.guidance() != null ? classOptions.guidance()
                    : likeText.containsKey(SampleFiles.KEY_GUIDANCE) && !(nullLabel && classOptions.value() != null)
                            ? Double.valueOf(likeText.get(SampleFiles.KEY_GUIDANCE)) : null;
            if (nullLabel && classOptions.value() == null && guidanceValue != null && guidanceValue != 1.0
                    && denoiser.classCount() > 0) {
                throw new IllegalArgumentException("--guidance " + guidanceValue + " needs a class: " + like
                        + " was drawn without one (the null label); add --class NAME|LABEL");
            }
            boolean classesInRows = denoiser.classCount() > 0 && classValue != null
                    && classValue.trim().equalsIgnoreCase(ClassOptions.ALL);
            if (classesInRows) {
                ClassLabels classes = ClassLabels.of(denoiser.info());
                count = n * classes.count();
                long[] seeds = new long[count];
                long[] labels = new long[count];
                for (int c = 0; c < classes.count(); c++) {
                    for (int k = 0; k < n; k++) {
                        seeds[c * n + k] = firstSeed + k;
                        labels[c * n + k] = c;
                    }
                }
                b.optSeeds(seeds).optClassLabels(labels).optGuidance(guidanceValue == null ? 1.0 : guidanceValue);
                cols = n;
            }
            boolean classBySeed = !classesInRows && ClassOptions.apply(b, denoiser.info(), modelFile.toString(),
                    classValue, guidanceValue, firstSeed, n);
            edit.apply(b, denoiser.info(), classBySeed);
            var samplerUsed = pipeline.sampler(b.build());
            int samplerSteps = pipeline.modelCalls(b.build());
            if (gif) {
                b.optTrajectoryEvery(gifEvery != null ? gifEvery : Math.max(1, samplerSteps / 25));
            }
            outWriter.printf("model %s: %s, on %s%n", modelFile, denoiser.info().summary(), denoiser.device());
            outWriter.printf("sampler %s, spacing %s%n", samplerUsed, spacingValue);
            if (edit.active()) {
                outWriter.printf("%s: %d model calls per image%n", edit.description(), samplerSteps);
            }
            if (classBySeed && !edit.interpolating()) {
                ClassLabels classes = ClassLabels.of(denoiser.info());
                outWriter.printf("classes: seed mod %d (%s); --class picks one, 'all' one row each, 'none' the"
                        + " model without a class%n", classes.count(), classes.listing());
            }
            outWriter.flush();
            Map<String, String> settings = SampleFiles.settingsText(samplerId, spacingValue.id(), etaValue,
                    varianceValue.id(), samplerUsed.clipSample(), cmo, modelFile.getFileName().toString());
            if (classBySeed) {
                settings.put(SampleFiles.KEY_CLASS_FROM, "seed");
            }
            settings.putAll(edit.text());
            // an interpolation writes its frames itself, after the run
            SampleImageWriter imageWriter = new SampleImageWriter(noImages || edit.interpolating() ? null : out,
                    denoiser.sha256(), settings, count);
            GenerationResult result;
            int perCall = pipeline.batchSize(b.build()); // smaller than --batch when batches run at once
            try (ProgressBar bar = noProgress ? null
                    : ProgressBars.bar("sampling", (long) samplerSteps * ((count + perCall - 1) / perCall), " steps",
                            System.err)) {
                if (bar != null) {
                    b.optProgress((done, total) -> bar.stepTo(done));
                }
                result = pipeline.generate(b.build(), imageWriter); // each batch written as it finishes
            }
            if (edit.interpolating()) {
                edit.writeInterpolation(result, out, settings, denoiser.sha256(), scale, !noImages, outWriter);
            }
            if (!noImages && !edit.interpolating()) {
                List<Path> files = imageWriter.written();
                outWriter.printf("wrote %d %s to %s (%s%s)%n", files.size(), files.size() == 1 ? "image" : "images", out,
                        files.get(0).getFileName(),
                        files.size() == 1 ? "" : " ... " + files.get(files.size() - 1).getFileName());
            }
            if (grid) {
                Path g = SampleFiles.writeGrid(result, out.resolve("grid.png"), cols, scale, denoiser.sha256());
                outWriter.println("grid: " + g);
            }
            if (gif) {
                Path a = SampleFiles.writeAnimation(result, out.resolve("reverse.gif"), cols, scale, 8);
                outWriter.println("gif: " + a + " (" + result.frames().size() + " frames)");
            }
            outWriter.printf(Locale.ROOT, "%s: %d %s in %.2f s (%.2f images/s)%n", result.sampler(), result.count(),
                    result.count() == 1 ? "image" : "images", result.elapsed().toNanos() / 1e9, result.imagesPerSecond());
            outWriter.flush();
        }
        return 0;
    }

    /**
     * The class a {@code --like} PNG was drawn for, as {@code --class} takes it: null when there is no PNG
     * or its class came from its seed (so each seed drawn gets its own), its label, 'none' for the null
     * label, and 'none' too for a PNG of a class-conditional model without a class (drawn before images
     * got a class by seed, when no --class meant the null label).
     */
    private static String likeClass(Map<String, String> likeText, int classCount) {
        if (likeText.isEmpty() || classCount == 0 || "seed".equals(likeText.get(SampleFiles.KEY_CLASS_FROM))) {
            return classCount == 0 ? likeText.get(SampleFiles.KEY_CLASS) : null;
        }
        String recorded = likeText.get(SampleFiles.KEY_CLASS);
        return recorded == null || recorded.trim().equals(Integer.toString(classCount)) ? ClassLabels.NONE : recorded;
    }

    /** Whether an option (any of its names) was given on the command line. */
    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** The ddpm4j version written into each PNG. */
    static final String VERSION = SampleFiles.VERSION;

    /** The text chunks of a {@code --like} PNG; it must hold the settings {@code ddpm sample} writes. */
    private static Map<String, String> likeSettings(Path png) throws java.io.IOException {
        return LikePng.read(png);
    }

    /**
     * The model file: {@code given} when set (it must exist), else the shipped model under the working
     * folder, one of its parents, or the repository that holds this jar.
     */
    static Path resolveModel(Path given) throws java.io.IOException {
        if (given != null) {
            if (!Files.isRegularFile(given)) {
                throw new java.nio.file.NoSuchFileException(given.toString());
            }
            return given;
        }
        return ShippedFiles.find(SHIPPED_MODEL).orElseThrow(() -> new IllegalArgumentException(
                "no --model given and the shipped model " + SHIPPED_MODEL + " is not in "
                + ShippedFiles.searched(SHIPPED_MODEL)
                + "; pass --model FILE, or train and export one (ddpm train, then ddpm export)"));
    }

}
