package org.ddpm4j.runtime.probe;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.onnx.Device;
import org.ddpm4j.runtime.onnx.GraphOptimization;
import org.ddpm4j.runtime.onnx.OnnxDenoiser;
import org.ddpm4j.runtime.onnx.OnnxOptions;

/**
 * Verifies an ONNX file against its embedded probe with ONNX Runtime alone, through the runtime's
 * {@link OnnxDenoiser} (the code path sampling uses): the forward probe and
 * the DDIM trajectory with all graph optimizations on, and the forward probe again with
 * optimizations off, which must agree within the probe's tolerance.
 */
public final class ProbeVerifier {

    private ProbeVerifier() {
    }

    /**
     * The outcome of {@link #verify}.
     *
     * @param probe              the embedded probe
     * @param result             the probe re-run with optimizations on
     * @param optimizationDiff   max abs difference between the optimized and unoptimized forward outputs
     */
    public record Report(Probe probe, ProbeResult result, double optimizationDiff) {
        /** The probe passed and optimizations on/off agree within the probe tolerance. */
        public boolean passed() {
            return result.passed() && optimizationDiff <= probe.tolerance();
        }

        /** Lines for a terminal (figures only; the verdict is {@link #passed()}). */
        public String describe() {
            return String.format(Locale.ROOT,
                    "probe: %d images %dx%dx%d at t=%s, recorded by %s%n"
                            + "forward: max abs error %.3e (tolerance %.1e)%n"
                            + "trajectory: DDIM %d steps, eta %s, %d images: max abs error %.3e (tolerance %.1e), PSNR %.1f dB (min %.0f)%n"
                            + "graph optimizations on vs off: max abs difference %.3e",
                    probe.batch(), probe.channels(), probe.height(), probe.width(),
                    java.util.Arrays.toString(probe.timesteps()), probe.recordedBy(),
                    result.maxAbsError(), result.tolerance(),
                    probe.trajectorySteps(), Probe.format(probe.trajectoryEta()), probe.trajectorySeeds().length,
                    result.trajectoryMaxAbsError(), result.trajectoryTolerance(), result.trajectoryPsnr(), result.trajectoryMinPsnr(),
                    optimizationDiff);
        }
    }

    /**
     * Re-runs the embedded probe of {@code model} on {@code device}.
     *
     * @throws IllegalArgumentException when the file has no probe or lacks contract metadata
     */
    public static Report verify(Path model, String device) throws IOException {
        OnnxOptions options = OnnxOptions.DEFAULTS.withDevice(Device.parse(device));
        Probe probe;
        ProbeResult result;
        float[] optimized;
        try (OnnxDenoiser m = OnnxDenoiser.open(model, options.withOptimization(GraphOptimization.ALL))) {
            ModelInfo info = m.info();
            if (!Probe.isPresent(info.metadata())) {
                throw new IllegalArgumentException(model + " carries no probe (ddpm.probe.* metadata); only files written by"
                        + " 'ddpm export' can be verified");
            }
            probe = Probe.fromMetadata(info.metadata());
            result = ProbeRunner.run(m, probe, info.schedule(), info.clipSample());
            optimized = ProbeRunner.forward(m, probe);
        }
        float[] plain;
        try (OnnxDenoiser m = OnnxDenoiser.open(model, options.withOptimization(GraphOptimization.NONE))) {
            plain = ProbeRunner.forward(m, probe);
        }
        return new Report(probe, result, ProbeResult.maxAbsError(optimized, plain));
    }
}
