package org.ddpm4j.tools;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.ddpm4j.runtime.cli.RuntimeOptions;
import org.ddpm4j.serve.ImageServer;
import org.ddpm4j.serve.ServeSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ddpm serve}: an HTTP sampling service over a model (the serve module's {@link ImageServer}), until
 * SIGTERM or Ctrl-C, which stop it gracefully: new requests get 503, queued and running ones are finished
 * and answered, then the process exits.
 */
@Command(name = "serve",
        mixinStandardHelpOptions = true,
        description = {
            "Serve images over HTTP, merging concurrent requests into batches.",
            "",
            "  ddpm serve --model models/fashion-mnist/model.onnx --port 8080",
            "  curl -s localhost:8080/v1/images -d '{\"seed\": 7, \"class\": \"sneaker\"}' -o sneaker.png",
            "",
            "The page at / draws images; /v1/model, /metrics, /health/readiness and",
            "/openapi.yaml describe the rest. SIGTERM finishes the requests in flight, then exits.",
        })
public final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE",
            description = "The ONNX model (default: the shipped models/fashion-mnist/model.onnx).")
    Path model;

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "Port (default ${DEFAULT-VALUE}; 0 for any free port).")
    int port;

    @Option(names = "--max-batch", paramLabel = "B", defaultValue = "" + ServeSettings.DEFAULT_MAX_BATCH,
            description = "Images per merged batch; 1 turns batching off (default ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-delay", paramLabel = "MS", defaultValue = "" + ServeSettings.DEFAULT_MAX_DELAY_MS,
            description = "How long a batch that is not full waits for more requests once the model is free, in ms"
                    + " (default ${DEFAULT-VALUE}).")
    long maxDelay;

    @Option(names = "--max-images", paramLabel = "N", defaultValue = "" + ServeSettings.DEFAULT_MAX_IMAGES,
            description = "Images one request may ask for (default ${DEFAULT-VALUE}).")
    int maxImages;

    @Option(names = "--max-steps", paramLabel = "N", defaultValue = "" + ServeSettings.DEFAULT_MAX_STEPS,
            description = "Steps one request may ask for (default ${DEFAULT-VALUE}).")
    int maxSteps;

    @Option(names = "--queue", paramLabel = "IMAGES", defaultValue = "" + ServeSettings.DEFAULT_QUEUE_IMAGES,
            description = "Images that may wait; more get 503 with Retry-After (default ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--timeout", paramLabel = "S", defaultValue = "" + ServeSettings.DEFAULT_TIMEOUT_S,
            description = "Seconds a request may take, waiting included, before it gets 503 (default ${DEFAULT-VALUE}).")
    long timeout;

    @Option(names = "--max-body", paramLabel = "BYTES", defaultValue = "" + ServeSettings.DEFAULT_MAX_BODY_BYTES,
            description = "Larger request bodies get 413 (default ${DEFAULT-VALUE}).")
    long maxBody;

    /** --device, --threads, --optimization. */
    @Mixin
    RuntimeOptions runtime;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path modelFile = SampleCommand.resolveModel(model);
        ServeSettings settings = new ServeSettings(modelFile, host, port,
                runtime.onnxOptions().withWarnings(line -> spec.commandLine().getErr().println(line)), maxBatch,
                Duration.ofMillis(maxDelay), maxImages, maxSteps, queue, Duration.ofSeconds(timeout), maxBody);
        ImageServer server = ImageServer.start(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            System.err.println("ddpm serve: stopping; finishing the requests in flight");
            server.close();
            stopped.countDown();
        }, "ddpm-serve-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf("ddpm serve: %s (%s) on %s; batches of up to %d images, %d ms delay; queue %d images%n",
                modelFile, server.service().settings().model().getFileName(), server.uri(), maxBatch, maxDelay, queue);
        out.flush();
        server.awaitReady();
        out.println("ready: " + server.uri() + "/ (page), " + server.uri() + "/v1/images (API), "
                + server.uri() + "/metrics");
        out.flush();
        stopped.await();
        return 0;
    }
}
