package org.ddpm4j.exporter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.ddpm4j.runtime.onnx.Device;
import org.ddpm4j.runtime.onnx.OnnxDenoiser;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.probe.Probe;
import org.ddpm4j.runtime.probe.ProbeResult;
import org.ddpm4j.trainer.model.UnetModel;
import org.ddpm4j.trainer.model.UnetSpec;

/**
 * Compares an ONNX file with live trainer weights (DJL) on fresh random inputs, beyond the stored
 * probe: a new seed each run (printed, so a failure can be reproduced).
 */
public final class LiveParity {

    private LiveParity() {
    }

    /**
     * The outcome.
     *
     * @param seed        seed of the random inputs and timesteps
     * @param batch       images compared
     * @param maxAbsError largest |onnx - djl|
     * @param tolerance   allowed maximum
     */
    public record Result(long seed, int batch, double maxAbsError, double tolerance) {
        /** Within tolerance (NaN fails). */
        public boolean passed() {
            return maxAbsError <= tolerance;
        }

        /** One line. */
        public String describe() {
            return String.format(Locale.ROOT, "live checkpoint: %d fresh images (seed %d): max abs error %.3e (tolerance %.1e)",
                    batch, seed, maxAbsError, tolerance);
        }
    }

    /**
     * Runs {@code batch} images of N(0, 1) noise at uniform random timesteps through both models.
     *
     * @param model     the ONNX file
     * @param spec      the checkpoint's architecture (must match the file's inputs)
     * @param weights   the checkpoint's weights
     * @param timesteps T of the schedule
     * @param device    ONNX Runtime device
     * @param seed      seed of inputs and timesteps
     * @param batch     number of images
     * @param tolerance allowed max abs error
     */
    public static Result compare(Path model, UnetSpec spec, Map<String, float[]> weights, int timesteps, String device,
            long seed, int batch, double tolerance) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        long[] seeds = new long[batch];
        long[] ts = new long[batch];
        for (int i = 0; i < batch; i++) {
            seeds[i] = random.nextLong();
            ts[i] = random.nextInt(timesteps);
        }
        float[] x = Probe.inputs(seeds, spec.inChannels() * spec.imageSize() * spec.imageSize());
        float[] onnx = new float[x.length];
        float[] djl = new float[x.length];
        try (OnnxDenoiser ort = OnnxDenoiser.open(model, OnnxOptions.DEFAULTS.withDevice(Device.parse(device)))) {
            if (ort.channels() != spec.inChannels() || ort.height() != spec.imageSize()) {
                throw new IllegalArgumentException("The checkpoint's UNet takes " + spec.inChannels() + "x" + spec.imageSize()
                        + "x" + spec.imageSize() + " images but " + model + " takes " + ort.channels() + "x" + ort.height()
                        + "x" + ort.width());
            }
            ort.predict(x, ts, onnx);
        }
        try (UnetModel m = UnetModel.fromWeights(spec, weights)) {
            m.denoiser().predict(x, ts, djl);
        }
        return new Result(seed, batch, ProbeResult.maxAbsError(onnx, djl), tolerance);
    }
}
