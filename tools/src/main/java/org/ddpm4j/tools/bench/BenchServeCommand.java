package org.ddpm4j.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.ddpm4j.runtime.cli.RuntimeOptions;
import org.ddpm4j.runtime.cli.SamplingOptions;
import org.ddpm4j.runtime.io.AtomicFiles;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.runtime.pipeline.GenerationRequest;
import org.ddpm4j.runtime.sampling.VarianceType;
import org.ddpm4j.serve.ImageServer;
import org.ddpm4j.serve.ServeSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ddpm bench serve}: closed-loop load on {@code ddpm serve} ({@link LoadGenerator}), single-image
 * requests of mixed classes. Against a running server ({@code --url}), or, by default, against servers it
 * starts in this process on the model, one per {@code --max-batch} value, next to {@code bench sample}'s
 * figure for one batch of {@code --baseline-batch} images measured in the same run, so the table's ratios
 * compare like with like.
 */
@Command(name = "serve",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Load-test ddpm serve: N concurrent clients, one image per request, mixed classes.",
            "Prints images/s, p50/p95/p99 latency, mean merged batch and errors per level.",
            "",
            "  ddpm bench serve --clients 1,4,16,64 --max-batch 1,16   (servers started here)",
            "  ddpm bench serve --url http://localhost:8080 --clients 16",
        })
public final class BenchServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL", description = "A running server to load; without it, servers are "
            + "started here on --model, one per --max-batch value.")
    URI url;

    @Option(names = "--model", paramLabel = "FILE",
            description = "The model of the servers started here (needed without --url).")
    Path model;

    @Option(names = "--clients", paramLabel = "N,N", split = ",", defaultValue = "1,4,16,64",
            description = "Concurrent clients, one level each (default ${DEFAULT-VALUE}).")
    List<Integer> clients;

    @Option(names = "--max-batch", paramLabel = "B,B", split = ",", defaultValue = "1,16",
            description = "Servers started here: one per batch bound, 1 = no batching (default ${DEFAULT-VALUE}).")
    List<Integer> maxBatch;

    @Option(names = "--max-delay", paramLabel = "MS", defaultValue = "" + ServeSettings.DEFAULT_MAX_DELAY_MS,
            description = "Servers started here: batch delay in ms (default ${DEFAULT-VALUE}).")
    long maxDelay;

    @Option(names = "--queue", paramLabel = "IMAGES", defaultValue = "0",
            description = "Servers started here: the queue bound (default 0: 4 images per client of the largest level,"
                    + " at least " + ServeSettings.DEFAULT_QUEUE_IMAGES + "); a small one shows the 503s of overload.")
    int queue;

    @Option(names = "--baseline-batch", paramLabel = "B", defaultValue = "16",
            description = "Servers started here: also time one batch of B images on the pipeline (bench sample's"
                    + " figure) in the same process; 0 for none (default ${DEFAULT-VALUE}).")
    int baselineBatch;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "3", description = "Unmeasured seconds per level (default ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--duration", paramLabel = "S", defaultValue = "15", description = "Measured seconds per level (default ${DEFAULT-VALUE}).")
    double duration;

    /** --sampler, --steps, --spacing, --eta (and --variance, --clip, which the server does not take). */
    @Mixin
    SamplingOptions sampling;

    /** --device, --threads, --optimization of the servers started here. */
    @Mixin
    RuntimeOptions runtime;

    @Option(names = "--json", paramLabel = "FILE", arity = "0..1", fallbackValue = "-",
            description = "Also write the figures as JSON to FILE ('-' or no value: standard output, instead of the table).")
    String json;

    /** One row of the table. */
    record Row(String server, LoadGenerator.Level level, double heapMb) {
    }

    /** Heap in use after a full collection, in MiB (this process: the servers started here and the clients). */
    private static double heapMb() {
        System.gc();
        Runtime r = Runtime.getRuntime();
        return (r.totalMemory() - r.freeMemory()) / (1024.0 * 1024.0);
    }

    @Override
    public Integer call() throws Exception {
        checkOptions();
        PrintWriter out = spec.commandLine().getOut();
        boolean jsonOnly = "-".equals(json);
        List<Row> rows = new ArrayList<>();
        Double baseline = null;
        AtomicLong seeds = new AtomicLong();
        if (url != null) {
            for (int c : clients) {
                rows.add(new Row(url.toString(), level(url, c, seeds), Double.NaN));
                if (!jsonOnly) {
                    printRow(out, rows.get(rows.size() - 1), null);
                }
            }
        } else {
            if (model == null) {
                throw new IllegalArgumentException("give --model FILE (servers started here) or --url URL (a running server)");
            }
            Path file = model;
            if (!Files.isRegularFile(file)) {
                throw new java.nio.file.NoSuchFileException(file.toString());
            }
            OnnxOptions options = runtime.onnxOptions();
            if (baselineBatch > 0) {
                baseline = baseline(file, options);
                if (!jsonOnly) {
                    out.printf(Locale.ROOT, "bench sample --batch %d (same process, median of 3 runs): %.2f images/s%n",
                            baselineBatch, baseline);
                    out.flush();
                }
            }
            if (!jsonOnly) {
                header(out);
            }
            for (int b : maxBatch) {
                ServeSettings settings = ServeSettings.defaults(file).withOnnx(options)
                        .withBatching(b, Duration.ofMillis(maxDelay))
                        .withLimits(1, ServeSettings.DEFAULT_MAX_STEPS, queue > 0 ? queue
                                : Math.max(ServeSettings.DEFAULT_QUEUE_IMAGES, 4 * clients.stream().max(Integer::compare)
                                        .orElse(1)), Duration.ofMinutes(10)); // a slow answer is a figure, not an error
                try (ImageServer server = ImageServer.start(settings).awaitReady()) {
                    for (int c : clients) {
                        Row row = new Row("max-batch " + b, level(server.uri(), c, seeds), heapMb());
                        rows.add(row);
                        if (!jsonOnly) {
                            printRow(out, row, baseline);
                        }
                    }
                }
            }
        }
        if (json != null) {
            String text = toJson(rows, baseline) + "\n";
            if (jsonOnly) {
                out.print(text);
            } else {
                AtomicFiles.write(Path.of(json), text.getBytes(StandardCharsets.UTF_8));
                out.println("wrote " + json);
            }
            out.flush();
        }
        return 0;
    }

    private void checkOptions() {
        if (clients.isEmpty() || clients.stream().anyMatch(c -> c < 1 || c > 4096)) {
            throw new IllegalArgumentException("--clients must be numbers from 1 to 4096, found " + clients);
        }
        if (maxBatch.isEmpty() || maxBatch.stream().anyMatch(b -> b < 1 || b > 4096)) {
            throw new IllegalArgumentException("--max-batch must be numbers from 1 to 4096, found " + maxBatch);
        }
        if (!(duration > 0) || !(warmup >= 0)) {
            throw new IllegalArgumentException("--duration must be > 0 and --warmup >= 0 seconds, found " + duration
                    + " and " + warmup);
        }
        if (queue < 0) {
            throw new IllegalArgumentException("--queue must be >= 0, found " + queue);
        }
        if (baselineBatch < 0) {
            throw new IllegalArgumentException("--baseline-batch must be >= 0, found " + baselineBatch);
        }
        if (sampling.clip() != null || sampling.clippedModelOutput() != null
                || VarianceType.fromId(sampling.variance()) != VarianceType.FIXED_SMALL) {
            throw new IllegalArgumentException("ddpm serve draws with the model's clipping and fixed_small variance:"
                    + " --clip, --clipped-model-output and --variance are not taken here");
        }
    }

    /** The request body for a seed: the sampler settings given, the class of the seed. */
    private String body(long seed) {
        StringBuilder b = new StringBuilder("{\"seed\": ").append(seed).append(", \"sampler\": \"")
                .append(sampling.samplerId()).append('"');
        if (sampling.steps() != null) {
            b.append(", \"steps\": ").append(sampling.steps());
        }
        if (sampling.spacing() != null) {
            b.append(", \"spacing\": \"").append(sampling.spacing()).append('"');
        }
        if (sampling.eta() != 0) {
            b.append(", \"eta\": ").append(sampling.eta());
        }
        return b.append('}').toString();
    }

    private LoadGenerator.Level level(URI base, int c, AtomicLong seeds) throws IOException, InterruptedException {
        return new LoadGenerator(base, this::body).run(c, Duration.ofMillis((long) (warmup * 1000)),
                Duration.ofMillis((long) (duration * 1000)), seeds);
    }

    /** bench sample's figure: the median images/s of 3 timed runs of one batch, after one warm-up run. */
    private double baseline(Path file, OnnxOptions options) throws IOException {
        try (DiffusionPipeline pipeline = DiffusionPipeline.open(file, options)) {
            GenerationRequest.Builder b = sampling.applyTo(GenerationRequest.builder()).optSeeds(0, baselineBatch)
                    .optBatchSize(baselineBatch);
            if (pipeline.info().conditional()) {
                b.optClassLabels(org.ddpm4j.runtime.model.ClassLabels.of(pipeline.info()).bySeed(0, baselineBatch));
            }
            GenerationRequest request = b.build();
            pipeline.generate(request);
            double[] rates = new double[3];
            for (int i = 0; i < rates.length; i++) {
                long start = System.nanoTime();
                pipeline.generate(request);
                rates[i] = baselineBatch / ((System.nanoTime() - start) / 1e9);
            }
            return BenchSampleCommand.median(rates);
        }
    }

    private static void header(PrintWriter out) {
        out.printf("%-14s %7s %9s %9s %8s %8s %8s %10s %7s %6s%n", "server", "clients", "images/s", "vs sample", "p50 ms",
                "p95 ms", "p99 ms", "mean batch", "heap MB", "errors");
        out.flush();
    }

    private static void printRow(PrintWriter out, Row row, Double baseline) {
        LoadGenerator.Level l = row.level;
        out.printf(Locale.ROOT, "%-14s %7d %9.2f %9s %8.0f %8.0f %8.0f %10.2f %7.0f %6d%s%n", row.server, l.clients(),
                l.imagesPerSecond(), baseline == null ? "-" : String.format(Locale.ROOT, "%.2f", l.imagesPerSecond() / baseline),
                l.p50Ms(), l.p95Ms(), l.p99Ms(), l.meanBatch(), row.heapMb, l.errors(),
                l.errors() == 0 ? "" : " " + l.errorStatuses());
        out.flush();
    }

    private String toJson(List<Row> rows, Double baseline) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("sampler", sampling.samplerId());
        root.put("steps", sampling.stepsOrDefault());
        root.put("warmup_s", warmup);
        root.put("duration_s", duration);
        if (baseline != null) {
            root.put("baseline_batch", baselineBatch);
            root.put("baseline_images_per_s", baseline);
        }
        ArrayNode levels = root.putArray("levels");
        for (Row r : rows) {
            LoadGenerator.Level l = r.level;
            ObjectNode n = levels.addObject();
            n.put("server", r.server);
            n.put("clients", l.clients());
            n.put("images_per_s", l.imagesPerSecond());
            if (baseline != null) {
                n.put("vs_baseline", l.imagesPerSecond() / baseline);
            }
            n.put("p50_ms", l.p50Ms());
            n.put("p95_ms", l.p95Ms());
            n.put("p99_ms", l.p99Ms());
            n.put("mean_batch", l.meanBatch());
            if (!Double.isNaN(r.heapMb)) {
                n.put("heap_mb_after_gc", r.heapMb);
            }
            n.put("ok", l.ok());
            n.put("errors", l.errors());
            ObjectNode statuses = n.putObject("error_statuses");
            l.errorStatuses().forEach((k, v) -> statuses.put(Integer.toString(k), v));
        }
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }
}
