package org.ddpm4j.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ddpm4j.exporter.ExportMetadata;
import org.ddpm4j.runtime.cli.ParallelBatchesOption;
import org.ddpm4j.runtime.cli.RuntimeOptions;
import org.ddpm4j.runtime.cli.SamplingOptions;
import org.ddpm4j.runtime.io.AtomicFiles;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.onnx.OnnxDenoiser;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.runtime.pipeline.GenerationRequest;
import org.ddpm4j.runtime.sampling.Denoiser;
import org.ddpm4j.trainer.checkpoint.Checkpoint;
import org.ddpm4j.tools.OutputChecks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ddpm bench sample}: how fast the runtime samples. After warm-up runs it times repeated runs of
 * one batch and prints medians: images per second, time per denoiser call, the share of the sampling
 * loop spent outside the backend (Java work per step; target under 3%), and the peak resident memory.
 *
 * <p>Backends are behind {@link Backend}: {@code onnx} (ONNX Runtime through the runtime's
 * {@link OnnxDenoiser}) and {@code djl} (the trainer's PyTorch UNet on a checkpoint). With
 * {@code --checkpoint} both run in one process on the same request: each is warmed up, then
 * {@code --runs} pairs alternate which backend goes first, and the ORT/DJL throughput ratio is the
 * median of the per-pair ratios, so it holds on a noisy machine. The model and the checkpoint must
 * describe the same network ({@link CheckpointAgreement}).
 */
@Command(name = "sample",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmark sampling: warm-up, then the median of repeated runs of one batch.",
            "",
            "  ddpm bench sample --model m.onnx --sampler ddim --steps 20 --batch 16",
            "",
            "Paired with the trainer's DJL model (same sampler, steps, batch and seeds), ratio ORT/DJL:",
            "",
            "  ddpm bench sample --model m.onnx --checkpoint runs/x/last --runs 5 --json bench.json",
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

    /** The sampler settings of ddpm sample, with its defaults. */
    @Mixin
    SamplingOptions sampling;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "16", description = "Images per run, all in one batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "1", description = "Untimed runs first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "5", description = "Timed runs, or pairs with --checkpoint (default ${DEFAULT-VALUE}).")
    int runs;

    /** --device, --threads (also the DJL backend's), --optimization. */
    @Mixin
    RuntimeOptions runtime;

    @Option(names = "--csv", paramLabel = "FILE", description = "Also append the medians as CSV lines (one per backend) to FILE.")
    Path csv;

    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = {"Pair the ONNX model with the trainer's DJL UNet on this checkpoint (folder, run folder or",
                "its 'last' link) in one process: warm-up of both, then --runs interleaved pairs and the",
                "ratio ORT/DJL. The model and the checkpoint must be the same network."})
    Path checkpoint;

    @Option(names = "--weights", paramLabel = "KIND",
            description = "Checkpoint weights for the DJL baseline: ema or raw (default: the model's ddpm.weights, else ema).")
    String weights;

    /** --parallel-batches: batches at once of the parallel side of --vs-one-batch, or of a single run. */
    @Mixin
    ParallelBatchesOption parallel;

    @Option(names = "--vs-one-batch",
            description = {"Pair --parallel-batches batches at once (each on one intra-op thread; by default one per",
                "thread) with the same images as one batch on all --threads, in one process: warm-up of both,",
                "then --runs interleaved pairs and the ratio parallel/one-batch."})
    boolean vsOneBatch;

    @Option(names = "--json", paramLabel = "FILE", arity = "0..1", fallbackValue = "-",
            description = "Write the figures as JSON to FILE; without FILE, print JSON instead of the table.")
    String json;

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
        if (weights != null && !weights.equals("ema") && !weights.equals("raw")) {
            throw new IllegalArgumentException("--weights must be ema or raw, found '" + weights + "'");
        }
        if (csv != null) {
            OutputChecks.fileToCreate("--csv", csv);
        }
        if (json != null && !"-".equals(json)) {
            OutputChecks.fileToCreate("--json", Path.of(json));
        }
        GenerationRequest request = sampling.applyTo(GenerationRequest.builder()).optSeeds(0, batch).optBatchSize(batch)
                .build();
        SampleBenchResult result;
        if (vsOneBatch) {
            if (checkpoint != null || !backend.trim().equalsIgnoreCase("onnx")) {
                throw new IllegalArgumentException("--vs-one-batch pairs two ways of running the ONNX model; it takes"
                        + " neither --checkpoint nor another --backend");
            }
            result = parallelVsOneBatch(request);
        } else if (checkpoint != null) {
            if (!backend.trim().equalsIgnoreCase("onnx")) {
                throw new IllegalArgumentException("--checkpoint pairs the ONNX model with the DJL baseline; "
                        + "it needs --backend onnx, found '" + backend + "'");
            }
            result = paired(request);
        } else {
            result = single(request);
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean jsonToStdout = "-".equals(json);
        if (!jsonToStdout) {
            result.printTable(out);
        }
        if (json != null) {
            ObjectMapper mapper = new ObjectMapper();
            String text = mapper.writerWithDefaultPrettyPrinter().writeValueAsString(result.toJson(mapper)) + "\n";
            if (jsonToStdout) {
                out.print(text);
                out.flush();
            } else {
                AtomicFiles.write(Path.of(json), text.getBytes(StandardCharsets.UTF_8));
                out.println("wrote " + json);
                out.flush();
            }
        }
        if (csv != null) {
            appendCsv(result);
        }
        return 0;
    }

    private SampleBenchResult single(GenerationRequest request) throws IOException {
        try (Backend b = openBackend(backend)) {
            DiffusionPipeline pipeline = DiffusionPipeline.of(b.denoiser(), b.info(), singlePlan().parallelBatches());
            for (int i = 0; i < warmup; i++) {
                pipeline.generate(request);
            }
            List<Run> timed = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                timed.add(timedRun(pipeline, b, request));
            }
            String name = backend.trim().toLowerCase(Locale.ROOT);
            var sampler = pipeline.sampler(request);
            return new SampleBenchResult(sampler.toString(), model.getFileName().toString(), null,
                    null, sampler.steps(), batch, runtime.threads(), warmup, runs,
                    List.of(new SampleBenchResult.BackendFigures(name, b.description() + ", " + b.info().summary(),
                            summarize(timed, peakRssKb()))), new double[0], peakRssKb());
        }
    }

    /**
     * ONNX Runtime and the DJL baseline in one process: both warmed up, then {@link #runs} pairs of one
     * run each, alternating which goes first, each pair giving one throughput ratio.
     */
    private SampleBenchResult paired(GenerationRequest request) throws IOException {
        Checkpoint c = Checkpoint.load(checkpoint);
        try (Backend ort = openBackend("onnx")) {
            CheckpointAgreement.require(model.getFileName().toString(), ort.info(), c);
            String kind = weights != null ? weights : ort.info().metadata().getOrDefault(ExportMetadata.WEIGHTS, "ema");
            try (Backend djl = DjlBackend.of(c, kind, runtime.threads())) {
                // both run the ONNX file's contract (schedule, clipping), so the samplers are identical
                DiffusionPipeline ortPipeline = DiffusionPipeline.of(ort.denoiser(), ort.info());
                DiffusionPipeline djlPipeline = DiffusionPipeline.of(djl.denoiser(), ort.info());
                Pairs p = pairs(ortPipeline, ort, djlPipeline, djl, request);
                var sampler = ortPipeline.sampler(request);
                return new SampleBenchResult(sampler.toString(), model.getFileName().toString(),
                        c.dir().toString(), kind, sampler.steps(), batch, runtime.threads(), warmup, runs, List.of(
                                new SampleBenchResult.BackendFigures("onnx", ort.description(), summarize(p.a(), p.rssA())),
                                new SampleBenchResult.BackendFigures("djl", djl.description(), summarize(p.b(), p.rssB()))),
                        p.ratios(), peakRssKb());
            }
        }
    }

    /** The timed runs of two sides, their largest resident set after a run, and the ratio a/b of each pair. */
    private record Pairs(List<Run> a, List<Run> b, long rssA, long rssB, double[] ratios) {
    }

    /** {@link #runs} pairs of one run each, alternating which side goes first (both warmed up before). */
    private Pairs pairs(DiffusionPipeline pa, Backend a, DiffusionPipeline pb, Backend b, GenerationRequest request) {
        for (int i = 0; i < warmup; i++) {
            pa.generate(request);
            pb.generate(request);
        }
        List<Run> aRuns = new ArrayList<>();
        List<Run> bRuns = new ArrayList<>();
        long aRss = -1;
        long bRss = -1;
        double[] ratios = new double[runs];
        for (int i = 0; i < runs; i++) {
            Run ra;
            Run rb;
            if (i % 2 == 0) {
                ra = timedRun(pa, a, request);
                aRss = Math.max(aRss, rssKb());
                rb = timedRun(pb, b, request);
                bRss = Math.max(bRss, rssKb());
            } else {
                rb = timedRun(pb, b, request);
                bRss = Math.max(bRss, rssKb());
                ra = timedRun(pa, a, request);
                aRss = Math.max(aRss, rssKb());
            }
            aRuns.add(ra);
            bRuns.add(rb);
            ratios[i] = ra.imagesPerSecond() / rb.imagesPerSecond();
        }
        return new Pairs(aRuns, bRuns, aRss, bRss, ratios);
    }

    /** A single run's plan: one batch on --threads, unless --parallel-batches is given. */
    private ParallelBatchesOption.Plan singlePlan() {
        return parallel.value() == ParallelBatchesOption.AUTO ? new ParallelBatchesOption.Plan(runtime.threads(), 1)
                : parallel.plan(runtime.threads(), runtime.onnxOptions().device(), batch);
    }

    /**
     * The ONNX model run two ways in one process on the same request: {@code --parallel-batches} batches at once,
     * each on one intra-op thread (by default one per thread), against one batch on all {@code --threads}.
     */
    private SampleBenchResult parallelVsOneBatch(GenerationRequest request) throws IOException {
        OnnxOptions base = runtime.onnxOptions().withWarnings(line -> spec.commandLine().getErr().println(line));
        ParallelBatchesOption.Plan plan = parallel.plan(runtime.threads(), base.device(), batch);
        if (plan.parallelBatches() < 2) {
            throw new IllegalArgumentException("--vs-one-batch needs 2 or more batches at once (--parallel-batches N,"
                    + " or on the CPU 2 or more threads and --batch 2 or more), found " + plan.parallelBatches());
        }
        try (Backend par = new OnnxBackend(OnnxDenoiser.open(model, base.withThreads(plan.intraOpThreads())));
                Backend one = new OnnxBackend(OnnxDenoiser.open(model, base))) {
            DiffusionPipeline parPipeline = DiffusionPipeline.of(par.denoiser(), par.info(), plan.parallelBatches());
            DiffusionPipeline onePipeline = DiffusionPipeline.of(one.denoiser(), one.info());
            int size = parPipeline.batchSize(request);
            String parDescription = String.format(Locale.ROOT, "%s, %d batches at once of up to %d images, %s intra-op"
                    + " thread(s) each", par.description(), plan.parallelBatches(), size,
                    plan.intraOpThreads() == 0 ? "auto" : Integer.toString(plan.intraOpThreads()));
            String oneDescription = String.format(Locale.ROOT, "%s, one batch of %d images, threads %s",
                    one.description(), batch, runtime.threads() == 0 ? "auto" : Integer.toString(runtime.threads()));
            Pairs p = pairs(parPipeline, par, onePipeline, one, request);
            var sampler = onePipeline.sampler(request);
            return new SampleBenchResult(sampler.toString(), model.getFileName().toString(), null, null,
                    sampler.steps(), batch, runtime.threads(), warmup, runs, List.of(
                            new SampleBenchResult.BackendFigures("parallel", parDescription, summarize(p.a(), p.rssA())),
                            new SampleBenchResult.BackendFigures("one-batch", oneDescription, summarize(p.b(), p.rssB()))),
                    p.ratios(), peakRssKb());
        }
    }

    private Run timedRun(DiffusionPipeline pipeline, Backend b, GenerationRequest request) {
        b.resetStats();
        long start = System.nanoTime();
        pipeline.generate(request);
        long wall = System.nanoTime() - start;
        return new Run(wall / 1e9, b.engineNanos() / 1e9, b.engineCalls(), batch);
    }

    private void appendCsv(SampleBenchResult result) throws IOException {
        boolean header = !Files.exists(csv);
        StringBuilder lines = new StringBuilder(header ? "backend,model,sampler,steps,batch,images_per_s,ms_per_call,"
                + "outside_share,s_per_run,peak_rss_kb\n" : "");
        for (SampleBenchResult.BackendFigures b : result.backends()) {
            Summary s = b.summary();
            lines.append(String.format(Locale.ROOT, "%s,%s,%s,%d,%d,%.4f,%.4f,%.5f,%.4f,%d%n", b.description()
                    .replace(',', ';'), model.getFileName(), sampling.samplerId(), result.steps(), batch,
                    s.imagesPerSecond(), s.msPerCall(), s.outsideShare(), s.secondsPerRun(), s.peakRssKb()));
        }
        Files.writeString(csv, lines, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
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

    private static long rssKb() {
        long bytes = PeakMemory.residentBytes();
        return bytes < 0 ? -1 : bytes / 1024;
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
            OnnxOptions options = runtime.onnxOptions().withWarnings(line -> spec.commandLine().getErr().println(line));
            return new OnnxBackend(OnnxDenoiser.open(model, options));
        }
        if (id.equals("djl")) {
            return DjlBackend.open(model, runtime.threads());
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
