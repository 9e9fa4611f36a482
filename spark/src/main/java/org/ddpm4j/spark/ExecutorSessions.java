package org.ddpm4j.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.ddpm4j.fid.OnnxFeatureExtractor;
import org.ddpm4j.runtime.onnx.OnnxDenoiser;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;

/**
 * The ONNX Runtime sessions of one executor JVM, opened on first use and kept for the life of the JVM,
 * keyed by the model file's SHA-256 (and the device, thread count and graph optimisation), so every task of every job
 * that uses the same model on an executor shares one session. Sessions are thread-safe, so concurrent
 * tasks call the same one.
 */
public final class ExecutorSessions {

    private static final Map<String, DiffusionPipeline> PIPELINES = new ConcurrentHashMap<>();
    private static final Map<String, OnnxFeatureExtractor> EXTRACTORS = new ConcurrentHashMap<>();

    private ExecutorSessions() {
    }

    /**
     * The pipeline of the model with {@code sha256}, opened from {@code localFile} the first time.
     *
     * @throws IllegalStateException when the file's content is not the model the driver hashed
     */
    public static DiffusionPipeline pipeline(String sha256, Path localFile, OnnxOptions options) throws IOException {
        String key = sha256 + "|" + options.device() + "|" + options.intraOpThreads() + "|" + options.optimization();
        try {
            return PIPELINES.computeIfAbsent(key, k -> {
                try {
                    OnnxDenoiser d = OnnxDenoiser.open(localFile, options);
                    if (!d.sha256().equals(sha256)) {
                        d.close();
                        throw new IllegalStateException("the model shipped to this executor (" + localFile + ") has sha256 "
                                + d.sha256() + ", expected " + sha256 + " (the file changed while the job ran?)");
                    }
                    return DiffusionPipeline.of(d);
                } catch (IOException e) {
                    throw new UncheckedIO(e);
                }
            });
        } catch (UncheckedIO e) {
            throw e.io;
        }
    }

    /** The feature extractor with {@code sha256}, opened from {@code localFile} the first time. */
    public static OnnxFeatureExtractor extractor(String sha256, Path localFile, String featureOutput, int threads)
            throws IOException {
        String key = sha256 + "|" + featureOutput + "|" + threads;
        try {
            return EXTRACTORS.computeIfAbsent(key, k -> {
                try {
                    return OnnxFeatureExtractor.open(localFile, featureOutput, threads);
                } catch (IOException e) {
                    throw new UncheckedIO(e);
                }
            });
        } catch (UncheckedIO e) {
            throw e.io;
        }
    }

    /** Sessions open in this JVM (for tests and logs). */
    public static int openSessions() {
        return PIPELINES.size() + EXTRACTORS.size();
    }

    private static final class UncheckedIO extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient IOException io;

        UncheckedIO(IOException io) {
            super(io);
            this.io = io;
        }
    }
}
