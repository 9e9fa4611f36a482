package org.ddpm4j.tools.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.sampling.Denoiser;
import org.ddpm4j.runtime.sampling.Prediction;
import org.ddpm4j.trainer.checkpoint.Checkpoint;
import org.ddpm4j.trainer.model.UnetModel;
import org.ddpm4j.trainer.model.UnetSpec;
import org.ddpm4j.trainer.train.Threads;

/**
 * The trainer's DJL (PyTorch) UNet as a {@link BenchSampleCommand.Backend}: the EMA (or raw) weights
 * of a checkpoint, in inference mode, timed per denoiser call.
 */
final class DjlBackend implements BenchSampleCommand.Backend {

    private final UnetModel model;
    private final ModelInfo info;
    private final Denoiser timed;
    private long nanos;
    private long calls;

    private DjlBackend(UnetModel model, ModelInfo info) {
        this.model = model;
        this.info = info;
        Denoiser inner = model.denoiser(info.prediction());
        this.timed = new Denoiser() {
            @Override
            public int channels() {
                return inner.channels();
            }

            @Override
            public int height() {
                return inner.height();
            }

            @Override
            public int width() {
                return inner.width();
            }

            @Override
            public Prediction prediction() {
                return inner.prediction();
            }

            @Override
            public void predict(float[] sample, long[] timesteps, float[] out) {
                long t0 = System.nanoTime();
                inner.predict(sample, timesteps, out);
                nanos += System.nanoTime() - t0;
                calls++;
            }
        };
    }

    /**
     * Opens a checkpoint (folder, run folder or {@code last} link) with its EMA weights.
     *
     * @param threads PyTorch intra-op threads, or 0 for PyTorch's choice
     */
    static DjlBackend open(Path checkpoint, int threads) throws IOException {
        return of(Checkpoint.load(checkpoint), "ema", threads);
    }

    /**
     * The UNet of a loaded checkpoint.
     *
     * @param weights {@code ema} or {@code raw}
     * @param threads PyTorch intra-op threads, or 0 for PyTorch's choice
     */
    static DjlBackend of(Checkpoint c, String weights, int threads) {
        Map<String, float[]> w = switch (weights) {
            case "ema" -> c.emaWeights();
            case "raw" -> c.weights();
            default -> throw new IllegalArgumentException("--weights must be ema or raw, found '" + weights + "'");
        };
        if (threads > 0) {
            Threads.setIntraOpThreads(threads);
        }
        UnetSpec spec = c.spec();
        ModelInfo info = ModelInfo.of(c.config().objective().predictionType(), c.config().noiseSchedule(), spec.imageSize(),
                spec.imageSize(), spec.inChannels(), true);
        return new DjlBackend(UnetModel.fromWeights(spec, w), info);
    }

    @Override
    public String description() {
        return "djl pytorch " + Threads.intraOpThreads() + " threads cpu";
    }

    @Override
    public Denoiser denoiser() {
        return timed;
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public long engineNanos() {
        return nanos;
    }

    @Override
    public long engineCalls() {
        return calls;
    }

    @Override
    public void resetStats() {
        nanos = 0;
        calls = 0;
    }

    @Override
    public void close() {
        model.close();
    }
}
