package org.ddpm4j.tools;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.ddpm4j.runtime.onnx.Device;
import org.ddpm4j.runtime.onnx.GraphOptimization;
import org.ddpm4j.runtime.onnx.OnnxDenoiser;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.runtime.pipeline.GenerationRequest;
import org.ddpm4j.runtime.pipeline.GenerationResult;
import org.ddpm4j.runtime.pipeline.SampleFiles;
import org.ddpm4j.runtime.sampling.TimestepSpacing;
import org.ddpm4j.runtime.sampling.VarianceType;
import picocli.CommandLine.Command;
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
        })
public final class SampleCommand implements Callable<Integer> {

    /** The shipped model, looked for relative to the working folder and the repository root. */
    public static final Path SHIPPED_MODEL = Path.of("models", "fashion-mnist", "model.onnx");

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE",
            description = "The ONNX model (default: the shipped models/fashion-mnist/model.onnx).")
    Path model;

    @Option(names = "--sampler", paramLabel = "NAME", defaultValue = "dpmpp",
            description = "ddpm, ddim, dpmpp or dpmpp-sde (default ${DEFAULT-VALUE}).")
    String sampler;

    @Option(names = "--steps", paramLabel = "N",
            description = "Denoiser calls per image (default 20; ddpm: all T of the model).")
    Integer steps;

    @Option(names = {"-n", "--count"}, paramLabel = "N", defaultValue = "16", description = "Images (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Seed of the first image (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "16", description = "Images per denoiser call (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--eta", paramLabel = "ETA", defaultValue = "0", description = "DDIM stochasticity, 0 = deterministic (default ${DEFAULT-VALUE}).")
    double eta;

    @Option(names = "--variance", paramLabel = "V", defaultValue = "fixed_small",
            description = "DDPM variance: fixed_small or fixed_large (default ${DEFAULT-VALUE}).")
    String variance;

    @Option(names = "--spacing", paramLabel = "S",
            description = "Timestep spacing: linspace, leading, trailing, karras or lu (default: linspace for ddpm/ddim, "
                    + "trailing for dpmpp).")
    String spacing;

    @Option(names = "--clip", negatable = true,
            description = "Clip the predicted x0 to [-1, 1] (default: the model's ddpm.clip_sample).")
    Boolean clip;

    @Option(names = "--clipped-model-output",
            description = "DDIM with clipping: re-derive epsilon from the clipped x0 (diffusers' use_clipped_model_output).")
    boolean clippedModelOutput;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "samples", description = "Output folder (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--grid", description = "Also write grid.png with all images.")
    boolean grid;

    @Option(names = "--columns", paramLabel = "C", defaultValue = "0", description = "Grid columns (default: a square grid).")
    int columns;

    @Option(names = "--scale", paramLabel = "K", defaultValue = "2", description = "Grid and GIF pixel scale (default ${DEFAULT-VALUE}).")
    int scale;

    @Option(names = "--gif", description = "Also write reverse.gif, the reverse process as an animated grid.")
    boolean gif;

    @Option(names = "--gif-every", paramLabel = "K", defaultValue = "0",
            description = "GIF frame every K steps (default: about 25 frames).")
    int gifEvery;

    @Option(names = "--no-images", description = "Do not write one PNG per image.")
    boolean noImages;

    @Option(names = "--device", paramLabel = "D", defaultValue = "cpu", description = "cpu, cuda, cuda:ID or auto (default ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--threads", paramLabel = "T", defaultValue = "0", description = "ONNX Runtime intra-op threads (0: one per core).")
    int threads;

    @Option(names = "--optimization", paramLabel = "L", defaultValue = "all",
            description = "Graph optimisation: none, basic, extended or all (default ${DEFAULT-VALUE}).")
    String optimization;

    @Option(names = "--no-progress", description = "Do not draw a progress bar.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        PrintWriter outWriter = spec.commandLine().getOut();
        Path modelFile = resolveModel(model);
        OnnxOptions options = OnnxOptions.DEFAULTS.withDevice(Device.parse(device)).withThreads(threads)
                .withOptimization(GraphOptimization.parse(optimization))
                .withWarnings(line -> spec.commandLine().getErr().println(line));
        GenerationRequest.Builder b = GenerationRequest.builder().optSampler(sampler).optSeeds(seed, count)
                .optBatchSize(batch).optEta(eta).optVariance(VarianceType.fromId(variance));
        String samplerId = sampler.trim().toLowerCase(Locale.ROOT);
        b.optSteps(steps != null ? steps : samplerId.equals("ddpm") ? 0 : 20);
        if (spacing != null) {
            b.optSpacing(TimestepSpacing.fromId(spacing));
        }
        if (clip != null) {
            b.optClipSample(clip);
        }
        b.optClippedModelOutput(clippedModelOutput);
        if (scale < 1) {
            throw new IllegalArgumentException("--scale must be at least 1, found " + scale);
        }
        OnnxDenoiser denoiser = OnnxDenoiser.open(modelFile, options);
        try (DiffusionPipeline pipeline = DiffusionPipeline.of(denoiser)) {
            int samplerSteps = pipeline.sampler(b.build()).steps();
            if (gif) {
                b.optTrajectoryEvery(gifEvery > 0 ? gifEvery : Math.max(1, samplerSteps / 25));
            }
            outWriter.printf("model %s: %s, on %s%n", modelFile, denoiser.info().summary(), denoiser.device());
            GenerationResult result;
            try (ProgressBar bar = progressBar("sampling", (long) samplerSteps * ((count + batch - 1) / batch))) {
                if (bar != null) {
                    b.optProgress((done, total) -> bar.stepTo(done));
                }
                result = pipeline.generate(b.build());
            }
            int cols = columns > 0 ? columns : (int) Math.ceil(Math.sqrt(count));
            if (!noImages) {
                List<Path> files = SampleFiles.writeImages(result, out, "sample-", denoiser.sha256());
                outWriter.printf("wrote %d images to %s (%s ... %s)%n", files.size(), out,
                        files.get(0).getFileName(), files.get(files.size() - 1).getFileName());
            }
            if (grid) {
                Path g = SampleFiles.writeGrid(result, out.resolve("grid.png"), cols, scale, denoiser.sha256());
                outWriter.println("grid: " + g);
            }
            if (gif) {
                Path a = SampleFiles.writeAnimation(result, out.resolve("reverse.gif"), cols, scale, 8);
                outWriter.println("gif: " + a + " (" + result.frames().size() + " frames)");
            }
            outWriter.printf(Locale.ROOT, "%s: %d images in %.2f s (%.2f images/s)%n", result.sampler(), result.count(),
                    result.elapsed().toNanos() / 1e9, result.imagesPerSecond());
            outWriter.flush();
        }
        return 0;
    }

    private ProgressBar progressBar(String label, long total) {
        if (noProgress) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName(label).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setUnit(" steps", 1).setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
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
