package org.ddpm4j.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.ddpm4j.runtime.image.PngFiles;
import org.ddpm4j.runtime.model.ClassLabels;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.runtime.pipeline.GenerationRequest;
import org.ddpm4j.runtime.pipeline.GenerationResult;
import org.ddpm4j.runtime.pipeline.SampleFiles;
import org.ddpm4j.runtime.sampling.VarianceType;

/**
 * What the HTTP layer calls: parses requests, queues them on the {@link DynamicBatcher}, and turns drawn
 * images into PNGs (with {@code ddpm sample}'s text chunks), JSON or ZIP. Knows nothing of HTTP itself.
 */
public final class ImageService implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final DiffusionPipeline pipeline;
    private final ServeSettings settings;
    private final RequestParser parser;
    private final DynamicBatcher batcher;
    private final ServeMetrics metrics;
    private final String modelFileName;
    private volatile boolean ready;
    private volatile boolean stopping;
    private final java.util.concurrent.atomic.AtomicInteger unanswered = new java.util.concurrent.atomic.AtomicInteger();

    /** A service over an open pipeline (closed with the service). */
    public ImageService(DiffusionPipeline pipeline, ServeSettings settings) {
        this.pipeline = pipeline;
        this.settings = settings;
        this.parser = new RequestParser(pipeline.info(), settings.maxImages(), settings.maxSteps());
        this.metrics = new ServeMetrics();
        this.batcher = new DynamicBatcher(pipeline, settings.maxBatch(), settings.maxDelay().toMillis(),
                settings.queueImages(), metrics);
        this.metrics.gauges(batcher::queuedImages, batcher::runningImages);
        this.modelFileName = settings.model().getFileName().toString();
    }

    /** Runs the model once at batch 1 and at the largest batch (one step each), then reports ready. */
    public void warmUp() {
        int[] sizes = settings.maxBatch() == 1 ? new int[] {1} : new int[] {1, settings.maxBatch()};
        for (int n : sizes) {
            GenerationRequest.Builder b = GenerationRequest.builder().optSampler("ddim").optSteps(1).optSeeds(0, n)
                    .optBatchSize(n);
            if (pipeline.info().conditional()) {
                b.optClassLabels(0);
            }
            pipeline.generate(b.build());
        }
        ready = true;
    }

    /** Whether the model has run once (readiness), and the service is not stopping. */
    public boolean ready() {
        return ready && !stopping;
    }

    /** The settings the service runs with. */
    public ServeSettings settings() {
        return settings;
    }

    /** The metrics. */
    public ServeMetrics metrics() {
        return metrics;
    }

    /** The batcher. */
    public DynamicBatcher batcher() {
        return batcher;
    }

    /**
     * Parses and queues a request.
     *
     * @throws ApiException 400 for a bad body, 503 when the queue is full or the server stops
     */
    public DynamicBatcher.Job submit(byte[] body) {
        if (stopping) {
            throw ApiException.shuttingDown();
        }
        return batcher.submit(parser.parse(body));
    }

    /** The HTTP layer took a request (counted until {@link #answered}). */
    public void accepted() {
        unanswered.incrementAndGet();
    }

    /** The HTTP layer answered a request it {@link #accepted}. */
    public void answered() {
        synchronized (unanswered) {
            unanswered.decrementAndGet();
            unanswered.notifyAll();
        }
    }

    /** Waits until every accepted request is answered, at most {@code timeoutMillis}. */
    public void awaitAnswered(long timeoutMillis) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMillis;
        synchronized (unanswered) {
            while (unanswered.get() > 0 && System.currentTimeMillis() < end) {
                unanswered.wait(Math.max(1, end - System.currentTimeMillis()));
            }
        }
    }

    /** The PNG of image k of a finished job, with the text chunks {@code ddpm sample} writes. */
    public byte[] png(DynamicBatcher.Job job, int k) {
        GenerationResult result = job.result(k);
        int index = job.index(k);
        Map<String, String> text = SampleFiles.imageText(result, index, pipeline.modelSha256());
        ImageRequest r = job.request();
        boolean clip = pipeline.sampler(GenerationRequest.builder().optSampler(r.sampler()).optSteps(r.steps())
                .optSpacing(r.spacing()).optEta(r.key().eta()).build()).clipSample();
        Map<String, String> settingsText = SampleFiles.settingsText(r.sampler(), r.spacing().id(), r.key().eta(),
                VarianceType.FIXED_SMALL.id(), clip, false, modelFileName);
        if (r.classFromSeed()) {
            settingsText.put(SampleFiles.KEY_CLASS_FROM, "seed");
        }
        settingsText.forEach(text::putIfAbsent);
        try {
            return PngFiles.encode(result.image(index), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file name of image k, as {@code ddpm sample} names it. */
    public static String fileName(DynamicBatcher.Job job, int k) {
        return SampleFiles.imageFileName("sample-", k, job.request().seed(k));
    }

    /** All images of a job as JSON: seed, class, file name and base64 PNG for each. */
    public byte[] json(DynamicBatcher.Job job) {
        List<Map<String, Object>> images = new ArrayList<>();
        ClassLabels classes = pipeline.info().conditional() ? ClassLabels.of(pipeline.info()) : null;
        for (int k = 0; k < job.request().count(); k++) {
            Map<String, Object> image = new LinkedHashMap<>();
            image.put("seed", job.request().seed(k));
            if (classes != null) {
                long label = job.request().label(k);
                image.put("class", label);
                image.put("class_name", classes.name(label));
            }
            image.put("file", fileName(job, k));
            image.put("png", Base64.getEncoder().encodeToString(png(job, k)));
            images.add(image);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model_sha256", pipeline.modelSha256());
        out.put("sampler", job.request().sampler());
        out.put("steps", job.request().steps());
        out.put("images", images);
        return write(out);
    }

    /** All images of a job as a ZIP of PNGs named as {@code ddpm sample} names its files. */
    public byte[] zip(DynamicBatcher.Job job) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (int k = 0; k < job.request().count(); k++) {
                zip.putNextEntry(new ZipEntry(fileName(job, k)));
                zip.write(png(job, k));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** {@code GET /v1/model}: the model contract, classes, defaults and limits. */
    public byte[] modelJson() {
        ModelInfo info = pipeline.info();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("file", modelFileName);
        out.put("sha256", pipeline.modelSha256());
        out.put("summary", info.summary());
        out.put("contract", info.contractMetadata());
        out.put("channels", info.channels());
        out.put("height", info.height());
        out.put("width", info.width());
        if (info.conditional()) {
            ClassLabels classes = ClassLabels.of(info);
            out.put("classes", classes.names());
            out.put("null_label", classes.nullLabel());
        } else {
            out.put("classes", List.of());
        }
        out.put("defaults", parser.defaults());
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("max_images_per_request", settings.maxImages());
        limits.put("max_steps", settings.maxSteps());
        limits.put("max_batch", settings.maxBatch());
        limits.put("max_delay_ms", settings.maxDelay().toMillis());
        limits.put("queue_images", settings.queueImages());
        limits.put("request_timeout_s", settings.requestTimeout().toSeconds());
        limits.put("max_body_bytes", settings.maxBodyBytes());
        out.put("limits", limits);
        return write(out);
    }

    /** An error body: {@code {"error": message, "status": status}}. */
    public static byte[] error(int status, String message) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("error", message);
        out.put("status", status);
        return write(out);
    }

    private static byte[] write(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Refuses new requests from now on (readiness turns false) and finishes what is queued and running. */
    public boolean drain(long timeoutMillis) throws InterruptedException {
        stopping = true;
        return batcher.drain(timeoutMillis);
    }

    /** Drains, then closes the model. */
    @Override
    public void close() {
        stopping = true;
        batcher.close();
        pipeline.close();
    }
}
