package org.ddpm4j.trainer.train;

import java.io.IOException;
import java.nio.file.Path;
import org.ddpm4j.runtime.image.ImageTensors;
import org.ddpm4j.runtime.noise.BatchNoise;
import org.ddpm4j.runtime.sampling.DdimSampler;
import org.ddpm4j.runtime.sampling.Denoiser;
import org.ddpm4j.runtime.sampling.GuidedDenoiser;
import org.ddpm4j.runtime.sampling.Prediction;
import org.ddpm4j.runtime.sampling.SamplingListener;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.ddpm4j.trainer.model.UnetModel;

/** Draws a grid of samples from a model with the runtime's DDIM sampler (eta 0, fixed seeds). */
public final class SampleGrid {

    private SampleGrid() {
    }

    /**
     * Samples {@code count} images (seeds {@code seed .. seed+count-1}) in {@code steps} DDIM steps
     * and writes them as one PNG grid. A class-conditional model draws image k of class k mod K (one
     * column per class), unguided.
     *
     * @return the samples, {@code count*C*H*W} values in [-1, 1]
     */
    public static float[] write(UnetModel model, NoiseSchedule schedule, int count, int steps, long seed, Path png)
            throws IOException {
        return write(model, Prediction.EPSILON, schedule, count, steps, seed, png);
    }

    /** As {@link #write(UnetModel, NoiseSchedule, int, int, long, Path)}, for a model trained to predict {@code prediction}. */
    public static float[] write(UnetModel model, Prediction prediction, NoiseSchedule schedule, int count, int steps,
            long seed, Path png) throws IOException {
        int c = model.spec().inChannels();
        int s = model.spec().imageSize();
        float[] x = new float[count * c * s * s];
        BatchNoise noise = BatchNoise.consecutive(seed, count);
        noise.fill(x);
        Denoiser denoiser = model.denoiser(prediction);
        int cols = (int) Math.ceil(Math.sqrt(count));
        int k = model.spec().classCount();
        if (k > 0) {
            long[] labels = new long[count];
            for (int i = 0; i < count; i++) {
                labels[i] = i % k;
            }
            denoiser = new GuidedDenoiser(denoiser, labels, 1.0);
            cols = Math.min(count, k);
        }
        new DdimSampler(schedule, Math.min(steps, schedule.timesteps()), 0.0, true)
                .sample(denoiser, x, noise, SamplingListener.NONE);
        int scale = Math.max(1, 64 / s);
        ImageTensors.writePng(ImageTensors.grid(x, count, c, s, s, cols, 2, scale), png);
        return x;
    }
}
