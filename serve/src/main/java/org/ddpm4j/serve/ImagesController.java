package org.ddpm4j.serve;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.exceptions.ContentLengthExceededException;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP routes: {@code POST /v1/images}, {@code GET /v1/model}, the health checks, {@code /metrics},
 * {@code /openapi.yaml} and the web page at {@code /}. Work and formats are {@link ImageService}'s.
 */
@Controller
@Requires(beans = ImageService.class)
public class ImagesController {

    /** The media type of a ZIP of PNGs. */
    public static final String ZIP = "application/zip";

    private final ImageService service;

    /** Micronaut injects the service the server registered. */
    public ImagesController(ImageService service) {
        this.service = service;
    }

    /**
     * Draws images: one image answers {@code image/png}, several JSON with base64 PNGs, or a ZIP when the
     * client accepts {@code application/zip} (JSON also for one image when it accepts JSON and not PNG).
     */
    @Post(uri = "/v1/images", consumes = MediaType.ALL, produces = {MediaType.IMAGE_PNG, MediaType.APPLICATION_JSON, ZIP})
    public CompletableFuture<MutableHttpResponse<?>> images(HttpRequest<?> request, @Nullable @Body byte[] body) {
        long start = System.nanoTime();
        service.accepted();
        CompletableFuture<MutableHttpResponse<?>> response = answer(request, body, start);
        response.whenComplete((r, e) -> service.answered());
        return response;
    }

    private CompletableFuture<MutableHttpResponse<?>> answer(HttpRequest<?> request, byte[] body, long start) {
        DynamicBatcher.Job job;
        try {
            job = service.submit(body);
        } catch (ApiException e) {
            return CompletableFuture.completedFuture(failure(e, start));
        }
        ClientConnection.onClose(request, job.future(), () -> {
            service.batcher().cancel(job);
            service.metrics().rejection("client_gone");
        });
        String accept = String.join(",", request.getHeaders().getAll(HttpHeaders.ACCEPT));
        long timeoutMillis = service.settings().requestTimeout().toMillis();
        return job.future().orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .<MutableHttpResponse<?>>thenApplyAsync(done -> success(done, accept, start))
                .exceptionally(e -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof TimeoutException) {
                        service.batcher().cancel(job);
                        return failure(ApiException.timeout("no images within the server's timeout of "
                                + timeoutMillis / 1000.0 + " s (the queue or the request was too long); retry later"),
                                start);
                    }
                    if (cause instanceof CancellationException) {
                        return failure(ApiException.timeout("the request was cancelled"), start);
                    }
                    service.metrics().rejection("error");
                    service.metrics().response(500, System.nanoTime() - start, 0);
                    return HttpResponse.serverError().contentType(MediaType.APPLICATION_JSON_TYPE)
                            .body(ImageService.error(500, "sampling failed: " + cause));
                });
    }

    private MutableHttpResponse<?> success(DynamicBatcher.Job job, String accept, long start) {
        int n = job.request().count();
        MutableHttpResponse<?> response;
        if (accept.contains(ZIP)) {
            response = HttpResponse.ok(service.zip(job)).contentType(ZIP).header(HttpHeaders.CONTENT_DISPOSITION,
                    "attachment; filename=\"images-seed" + job.request().seed(0) + ".zip\"");
        } else if (n == 1 && !(accept.contains(MediaType.APPLICATION_JSON) && !accept.contains(MediaType.IMAGE_PNG))) {
            response = HttpResponse.ok(service.png(job, 0)).contentType(MediaType.IMAGE_PNG_TYPE)
                    .header(HttpHeaders.CONTENT_DISPOSITION, "inline; filename=\"" + ImageService.fileName(job, 0) + "\"");
        } else {
            response = HttpResponse.ok(service.json(job)).contentType(MediaType.APPLICATION_JSON_TYPE);
        }
        service.metrics().response(200, System.nanoTime() - start, n);
        return response;
    }

    private MutableHttpResponse<?> failure(ApiException e, long start) {
        service.metrics().rejection(e.reason());
        service.metrics().response(e.status(), System.nanoTime() - start, 0);
        MutableHttpResponse<byte[]> r = HttpResponse.<byte[]>status(HttpStatus.valueOf(e.status()))
                .contentType(MediaType.APPLICATION_JSON_TYPE).body(ImageService.error(e.status(), e.getMessage()));
        if (e.retryAfterSeconds() > 0) {
            r.header(HttpHeaders.RETRY_AFTER, Integer.toString(e.retryAfterSeconds()));
        }
        return r;
    }

    /** 413 for a body over the server's limit, in the service's error format. */
    @Error(global = true, exception = ContentLengthExceededException.class)
    public HttpResponse<byte[]> tooLarge(HttpRequest<?> request, ContentLengthExceededException e) {
        service.metrics().rejection("too_large");
        return HttpResponse.<byte[]>status(HttpStatus.REQUEST_ENTITY_TOO_LARGE).contentType(MediaType.APPLICATION_JSON_TYPE)
                .body(ImageService.error(413, "the request body is larger than the server's limit of "
                        + service.settings().maxBodyBytes() + " bytes (--max-body)"));
    }

    /** The model contract, classes, defaults and limits. */
    @Get(uri = "/v1/model", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<byte[]> model() {
        return HttpResponse.ok(service.modelJson());
    }

    /** 200 while the process serves HTTP. */
    @Get(uri = "/health/liveness", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<String> liveness() {
        return HttpResponse.ok("{\"status\":\"UP\"}");
    }

    /** 200 once the model has run (the session is warm), 503 before that and while stopping. */
    @Get(uri = "/health/readiness", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<String> readiness() {
        return service.ready() ? HttpResponse.ok("{\"status\":\"UP\"}")
                : HttpResponse.<String>status(HttpStatus.SERVICE_UNAVAILABLE).body("{\"status\":\"DOWN\"}");
    }

    /** The Prometheus text exposition. */
    @Get(uri = "/metrics", produces = "text/plain; version=0.0.4; charset=utf-8")
    public String metrics() {
        return service.metrics().render();
    }

    /** The OpenAPI description of this API. */
    @Get(uri = "/openapi.yaml", produces = "application/yaml")
    public HttpResponse<byte[]> openapi() {
        return HttpResponse.ok(resource("openapi.yaml"));
    }

    /** The web page. */
    @Get(uri = "/", produces = MediaType.TEXT_HTML)
    public HttpResponse<byte[]> page() {
        return HttpResponse.ok(resource("static/index.html"));
    }

    /** The web page's script. */
    @Get(uri = "/app.js", produces = "text/javascript")
    public HttpResponse<byte[]> script() {
        return HttpResponse.ok(resource("static/app.js"));
    }

    private static byte[] resource(String name) {
        try (InputStream in = ImagesController.class.getResourceAsStream("/org/ddpm4j/serve/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
