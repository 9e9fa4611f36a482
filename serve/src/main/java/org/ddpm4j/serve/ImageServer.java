package org.ddpm4j.serve;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;

/**
 * {@code ddpm serve}'s server: opens the model, starts Micronaut's HTTP server in an application context of
 * its own (so nothing else in the process gets HTTP beans), warms the model up in the background (readiness
 * turns true after), and stops gracefully: {@link #close} refuses new requests, finishes the queued and
 * running ones, answers them, then stops HTTP and closes the model.
 *
 * <pre>{@code
 * try (ImageServer server = ImageServer.start(ServeSettings.defaults(Path.of("model.onnx")))) {
 *     server.awaitReady();
 *     System.out.println("serving on " + server.uri());
 * }
 * }</pre>
 */
public final class ImageServer implements AutoCloseable {

    private final ApplicationContext context;
    private final EmbeddedServer server;
    private final ImageService service;
    private final CompletableFuture<Void> warm;
    private volatile boolean closed;

    private ImageServer(ApplicationContext context, EmbeddedServer server, ImageService service,
            CompletableFuture<Void> warm) {
        this.context = context;
        this.server = server;
        this.service = service;
        this.warm = warm;
    }

    /**
     * Opens the model and starts serving; the model warms up in the background.
     *
     * @throws IOException when the model cannot be read
     * @throws IllegalArgumentException when it does not follow the model contract
     */
    public static ImageServer start(ServeSettings settings) throws IOException {
        return start(settings, DiffusionPipeline.open(settings.model(), settings.onnx()));
    }

    /**
     * Serves an open pipeline (closed with the server); {@code settings.model()} names it in PNGs and
     * {@code /v1/model}, and its ONNX options are not used.
     */
    public static ImageServer start(ServeSettings settings, DiffusionPipeline pipeline) {
        ImageService service = new ImageService(pipeline, settings);
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("micronaut.server.host", settings.host());
        props.put("micronaut.server.port", settings.port() == 0 ? -1 : settings.port());
        props.put("micronaut.server.max-request-size", settings.maxBodyBytes());
        props.put("micronaut.application.name", "ddpm-serve");
        props.put("micronaut.server.date-header", false);
        ApplicationContext context;
        EmbeddedServer server;
        try {
            context = ApplicationContext.builder().properties(props).singletons(service).deduceEnvironment(false)
                    .banner(false).start();
            server = context.getBean(EmbeddedServer.class);
            server.start();
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
        CompletableFuture<Void> warm = CompletableFuture.runAsync(service::warmUp);
        return new ImageServer(context, server, service, warm);
    }

    /** Blocks until the model has run once (readiness). */
    public ImageServer awaitReady() {
        warm.join();
        return this;
    }

    /** The port the server listens on. */
    public int port() {
        return server.getPort();
    }

    /** The base URI, e.g. {@code http://127.0.0.1:8080}. */
    public URI uri() {
        return URI.create("http://" + hostForUri(service.settings().host()) + ":" + port());
    }

    private static String hostForUri(String host) {
        return host.equals("0.0.0.0") ? "localhost" : host.contains(":") ? "[" + host + "]" : host;
    }

    /** The service behind the routes. */
    public ImageService service() {
        return service;
    }

    /**
     * Stops gracefully: new requests get 503, queued and running ones finish (waiting up to the request
     * timeout) and are answered, then HTTP stops and the model closes. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            service.drain(service.settings().requestTimeout().toMillis());
            service.awaitAnswered(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            context.close();
            service.close();
        }
    }
}
