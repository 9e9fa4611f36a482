package org.ddpm4j.tools.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.onnx.Device;
import org.ddpm4j.runtime.onnx.GraphOptimization;
import org.ddpm4j.runtime.onnx.OnnxDenoiser;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.runtime.pipeline.GenerationRequest;
import org.ddpm4j.runtime.sampling.Denoiser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ddpm bench sample}: how fast the runtime samples. After warm-up runs it times repeated runs of
 * one batch and prints medians: images per second, time per denoiser call, the share of the sampling
 * loop spent outside the backend (Java work per step; target under 3%), and the peak resident memory.
 *
 * <p>Backends are behind {@link Backend}: {@code onnx} (ONNX Runtime through the runtime's
 * {@link OnnxDenoiser}) is built in; a DJL backend for the comparison is to be added in
 * {@link #openBackend} by whoever writes it. No figures are made up for a backend that is absent.
 */
@Command(name = "sample",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmark sampling: warm-up, then the median of repeated runs of one batch.",
            "",
            "  ddpm bench sample --model m.onnx --sampler ddim --steps 20 --batch 16",
        })
public final class BenchSampleCommand implements Callable<Integer> {

    /** The backends {@link #openBackend} knows. */
    public static final List<String> BACKENDS = List.of("onnx", "djl");

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE",
            description = "The ONNX model; with --backend djl, a checkpoint (folder, run folder or its 'last' link).")
    Path model;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "onnx",
            description = "Backend: onnx, or djl (the trainer's PyTorch UNet on a checkpoint) (default ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--sampler", paramLabel = "NAME", defaultValue = "ddim", description = "ddpm, ddim or dpmpp (default ${DEFAULT-VALUE}).")
    String sampler;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "20", description = "Denoiser calls per image (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "16", description = "Images per run, all in one batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "1", description = "Untimed runs first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "5", description = "Timed runs (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--device", paramLabel = "D", defaultValue = "cpu", description = "cpu, cuda, cuda:ID or auto (default ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--threads", paramLabel = "T", defaultValue = "0", description = "Intra-op threads (0: one per core).")
    int threads;

    @Option(names = "--optimization", paramLabel = "L", defaultValue = "all", description = "none, basic, extended or all (default ${DEFAULT-VALUE}).")
    String optimization;

    @Option(names = "--csv", paramLabel = "FILE", description = "Also append the medians as one CSV line to FILE.")
    Path csv;

    /** A denoiser to benchmark, with the time spent inside its engine. */
    public interface Backend extends AutoCloseable {

        /** e.g. {@code onnxruntime 1.29.0 cpu}. */
        String description();

        Denoiser denoiser();

        ModelInfo info();

        /** Nanoseconds spent inside the engine since the last {@link #resetStats()}. */
        long engineNanos();

        /** Engine calls since the last {@link #resetStats()}. */
        long engineCalls();

        void resetStats();

        @Override
        void close();
    }

    /** One timed run. */
    public record Run(double seconds, double engineSeconds, long calls, int images) {

        public double imagesPerSecond() {
            return images / seconds;
        }

        public double msPerCall() {
            return engineSeconds * 1000 / calls;
        }

        public double outsideShare() {
            return Math.max(0, seconds - engineSeconds) / seconds;
        }
    }

    /** Medians over the timed runs, and the peak resident memory. */
    public record Summary(double imagesPerSecond, double msPerCall, double outsideShare, double secondsPerRun,
            long peakRssKb) {
    }

    @Override
    public Integer call() throws IOException {
        if (batch < 1 || runs < 1 || warmup < 0) {
            throw new IllegalArgumentException("--batch and --runs must be at least 1 and --warmup at least 0, found "
                    + batch + ", " + runs + ", " + warmup);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Backend b = openBackend(backend)) {
            GenerationRequest request = GenerationRequest.builder().optSampler(sampler).optSteps(steps)
                    .optSeeds(0, batch).optBatchSize(batch).build();
            DiffusionPipeline pipeline = DiffusionPipeline.of(b.denoiser(), b.info());
            out.printf("bench sample: %s, %s, model %s (%s), batch %d, %d warm-up + %d runs%n",
                    b.description(), pipeline.sampler(request), model.getFileName(), b.info().summary(), batch,
                    warmup, runs);
            out.flush();
            for (int i = 0; i < warmup; i++) {
                pipeline.generate(request);
            }
            List<Run> timed = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                b.resetStats();
                long start = System.nanoTime();
                pipeline.generate(request);
                long wall = System.nanoTime() - start;
                timed.add(new Run(wall / 1e9, b.engineNanos() / 1e9, b.engineCalls(), batch));
            }
            Summary s = summarize(timed, peakRssKb());
            out.printf(Locale.ROOT, "images/s               %10.2f%n", s.imagesPerSecond());
            out.printf(Locale.ROOT, "ms per denoiser call   %10.2f  (batch %d)%n", s.msPerCall(), batch);
            out.printf(Locale.ROOT, "s per run              %10.3f%n", s.secondsPerRun());
            out.printf(Locale.ROOT, "outside the backend    %9.2f%%  (target < 3%%)%n", 100 * s.outsideShare());
            out.printf(Locale.ROOT, "peak RSS               %10s%n",
                    s.peakRssKb() < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MiB", s.peakRssKb() / 1024.0));
            out.flush();
            if (csv != null) {
                boolean header = !Files.exists(csv);
                String line = String.format(Locale.ROOT, "%s,%s,%s,%d,%d,%.4f,%.4f,%.5f,%.4f,%d%n", b.description(),
                        model.getFileName(), sampler, steps, batch, s.imagesPerSecond(), s.msPerCall(),
                        s.outsideShare(), s.secondsPerRun(), s.peakRssKb());
                Files.writeString(csv, (header ? "backend,model,sampler,steps,batch,images_per_s,ms_per_call,"
                        + "outside_share,s_per_run,peak_rss_kb\n" : "") + line,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            }
        }
        return 0;
    }

    /** The medians of the runs. */
    public static Summary summarize(List<Run> runs, long peakRssKb) {
        return new Summary(median(runs.stream().mapToDouble(Run::imagesPerSecond).toArray()),
                median(runs.stream().mapToDouble(Run::msPerCall).toArray()),
                median(runs.stream().mapToDouble(Run::outsideShare).toArray()),
                median(runs.stream().mapToDouble(Run::seconds).toArray()), peakRssKb);
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** Peak resident set size (VmHWM of /proc/self/status) in KiB, or -1 where there is no /proc. */
    public static long peakRssKb() {
        long bytes = PeakMemory.residentPeakBytes();
        return bytes < 0 ? -1 : bytes / 1024;
    }

    /** Opens the named backend; the place to add the DJL backend for the comparison. */
    Backend openBackend(String name) throws IOException {
        String id = name.trim().toLowerCase(Locale.ROOT);
        if (id.equals("onnx")) {
            OnnxOptions options = OnnxOptions.DEFAULTS.withDevice(Device.parse(device)).withThreads(threads)
                    .withOptimization(GraphOptimization.parse(optimization))
                    .withWarnings(line -> spec.commandLine().getErr().println(line));
            return new OnnxBackend(OnnxDenoiser.open(model, options));
        }
        if (id.equals("djl")) {
            return DjlBackend.open(model, threads);
        }
        throw new IllegalArgumentException("Unknown backend '" + name + "', expected one of " + String.join(", ", BACKENDS));
    }

    /** ONNX Runtime through the runtime's denoiser. */
    private record OnnxBackend(OnnxDenoiser model) implements Backend {

        @Override
        public String description() {
            return "onnxruntime " + model.runtimeVersion() + " " + model.device();
        }

        @Override
        public Denoiser denoiser() {
            return model;
        }

        @Override
        public ModelInfo info() {
            return model.info();
        }

        @Override
        public long engineNanos() {
            return model.runNanos();
        }

        @Override
        public long engineCalls() {
            return model.runCalls();
        }

        @Override
        public void resetStats() {
            model.resetStats();
        }

        @Override
        public void close() {
            model.close();
        }
    }
}
