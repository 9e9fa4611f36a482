package org.ddpm4j.runtime.probe;

import java.util.Map;
import org.ddpm4j.runtime.sampling.Denoiser;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.ddpm4j.runtime.schedule.ScheduleType;

/** Re-runs a {@link Probe} on a model and compares with the recorded values. */
public final class ProbeRunner {

    private ProbeRunner() {
    }

    /** Runs the forward probe and the trajectory with {@code model}. */
    public static ProbeResult run(Denoiser model, Probe probe, NoiseSchedule schedule, boolean clipSample) {
        checkShape(model, probe);
        float[] out = forward(model, probe);
        float[] fin = Probe.trajectory(model, probe.trajectorySeeds(), probe.trajectorySteps(), probe.trajectoryEta(),
                schedule, clipSample);
        return new ProbeResult(ProbeResult.maxAbsError(out, probe.expected()), probe.tolerance(),
                ProbeResult.maxAbsError(fin, probe.trajectoryFinal()), ProbeResult.psnr(fin, probe.trajectoryFinal()),
                probe.trajectoryTolerance());
    }

    /** The model's outputs on the probe's seeded inputs and timesteps. */
    public static float[] forward(Denoiser model, Probe probe) {
        float[] x = probe.inputs();
        float[] out = new float[x.length];
        model.predict(x, probe.timesteps(), out);
        return out;
    }

    /**
     * The schedule and clip flag the contract metadata describes ({@code ddpm.schedule},
     * {@code ddpm.timesteps}, {@code ddpm.beta_start}, {@code ddpm.beta_end}, {@code ddpm.clip_sample}).
     */
    public static NoiseSchedule schedule(Map<String, String> metadata) {
        ScheduleType type = ScheduleType.fromId(require(metadata, "ddpm.schedule"));
        int t = Integer.parseInt(require(metadata, "ddpm.timesteps").trim());
        double start = type.usesBetaRange() ? Double.parseDouble(require(metadata, "ddpm.beta_start").trim()) : Double.NaN;
        double end = type.usesBetaRange() ? Double.parseDouble(require(metadata, "ddpm.beta_end").trim()) : Double.NaN;
        return NoiseSchedule.of(type, t, start, end);
    }

    /** {@code ddpm.clip_sample} as a boolean. */
    public static boolean clipSample(Map<String, String> metadata) {
        String v = require(metadata, "ddpm.clip_sample").trim();
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("ddpm.clip_sample must be 'true' or 'false', found '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    private static void checkShape(Denoiser model, Probe probe) {
        if (model.channels() != probe.channels() || model.height() != probe.height() || model.width() != probe.width()) {
            throw new IllegalArgumentException("Probe images are " + probe.channels() + "x" + probe.height() + "x"
                    + probe.width() + " but the model takes " + model.channels() + "x" + model.height() + "x" + model.width());
        }
    }

    private static String require(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("Model metadata lacks required key '" + key + "'; add it with 'ddpm adopt'");
        }
        return v;
    }
}
