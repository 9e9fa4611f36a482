package org.ddpm4j.runtime.probe;

import org.ddpm4j.runtime.sampling.Denoiser;
import org.ddpm4j.runtime.schedule.NoiseSchedule;

/** Re-runs a {@link Probe} on a model and compares with the recorded values. */
public final class ProbeRunner {

    private ProbeRunner() {
    }

    /** Runs the forward probe and the trajectory with {@code model}. */
    public static ProbeResult run(Denoiser model, Probe probe, NoiseSchedule schedule, boolean clipSample) {
        checkShape(model, probe);
        float[] out = forward(model, probe);
        if (probe.conditional() != model.classCount() > 0) {
            throw new IllegalArgumentException(probe.conditional()
                    ? "the probe was recorded with class labels but the model is unconditional"
                    : "the model is class-conditional but the probe has no class labels; re-export it with 'ddpm export'");
        }
        float[] fin = Probe.trajectory(model, probe.trajectorySeeds(), probe.trajectoryTimesteps(), probe.trajectoryEta(),
                schedule, clipSample, probe.trajectoryLabels(), probe.trajectoryGuidance());
        return new ProbeResult(ProbeResult.maxAbsError(out, probe.expected()), probe.tolerance(),
                ProbeResult.maxAbsError(fin, probe.trajectoryFinal()), ProbeResult.psnr(fin, probe.trajectoryFinal()),
                probe.trajectoryTolerance(), probe.trajectoryMinPsnr());
    }

    /** The model's outputs on the probe's seeded inputs and timesteps. */
    public static float[] forward(Denoiser model, Probe probe) {
        float[] x = probe.inputs();
        float[] out = new float[x.length];
        model.predict(x, probe.timesteps(), probe.labels(), out);
        return out;
    }

    private static void checkShape(Denoiser model, Probe probe) {
        if (model.channels() != probe.channels() || model.height() != probe.height() || model.width() != probe.width()) {
            throw new IllegalArgumentException("Probe images are " + probe.channels() + "x" + probe.height() + "x"
                    + probe.width() + " but the model takes " + model.channels() + "x" + model.height() + "x" + model.width());
        }
    }
}
