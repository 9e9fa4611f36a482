package org.ddpm4j.runtime.probe;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Locale;
import org.ddpm4j.runtime.noise.BatchNoise;
import org.ddpm4j.runtime.noise.GaussianNoise;
import org.ddpm4j.runtime.sampling.DdimSampler;
import org.ddpm4j.runtime.sampling.NoiseLevels;
import org.ddpm4j.runtime.sampling.TimestepSpacing;
import org.ddpm4j.runtime.sampling.Denoiser;
import org.ddpm4j.runtime.sampling.GuidedDenoiser;
import org.ddpm4j.runtime.sampling.SamplingListener;
import org.ddpm4j.runtime.schedule.NoiseSchedule;

/**
 * The reference probe: seeded inputs, the outputs a reference model computed for them, and a short
 * seeded DDIM trajectory's final images, with the tolerances a copy of the model must meet.
 * Inputs are not stored: image k's x_t is regenerated from its seed with {@link GaussianNoise}.
 *
 * @param inputSeeds          one seed per probe image
 * @param timesteps           one timestep per probe image
 * @param channels            C
 * @param height              H
 * @param width               W
 * @param expected            reference outputs, {@code B*C*H*W}
 * @param tolerance           allowed max abs difference on {@code expected}
 * @param trajectorySeeds     seeds of the trajectory's {@link BatchNoise}
 * @param trajectorySteps     DDIM steps
 * @param trajectoryEta       DDIM eta
 * @param trajectoryTimesteps the timesteps the trajectory visits, as recorded (files written before this key
 *                            existed replay the linspace spacing of their time, which rounded halves up)
 * @param trajectoryFinal     reference final images of the trajectory
 * @param trajectoryTolerance allowed max abs difference on {@code trajectoryFinal}
 * @param trajectoryMinPsnr   smallest allowed PSNR (dB) against {@code trajectoryFinal}
 * @param recordedBy          who computed the reference values
 * @param labels              class-conditional models: one label per probe image (real labels and
 *                            the null label); null for unconditional ones
 * @param trajectoryLabels    class-conditional models: one label per trajectory image; else null
 * @param trajectoryGuidance  the trajectory's guidance scale (1 for unconditional models)
 */
public record Probe(
        long[] inputSeeds,
        long[] timesteps,
        int channels,
        int height,
        int width,
        float[] expected,
        double tolerance,
        long[] trajectorySeeds,
        int trajectorySteps,
        double trajectoryEta,
        int[] trajectoryTimesteps,
        float[] trajectoryFinal,
        double trajectoryTolerance,
        double trajectoryMinPsnr,
        String recordedBy,
        long[] labels,
        long[] trajectoryLabels,
        double trajectoryGuidance) {

    /** Guidance scale of the trajectory of a class-conditional model's probe (so the 2B path is covered). */
    public static final double CONDITIONAL_TRAJECTORY_GUIDANCE = 2.0;

    /** An unconditional model's probe. */
    public Probe(long[] inputSeeds, long[] timesteps, int channels, int height, int width, float[] expected,
            double tolerance, long[] trajectorySeeds, int trajectorySteps, double trajectoryEta,
            int[] trajectoryTimesteps, float[] trajectoryFinal, double trajectoryTolerance, double trajectoryMinPsnr,
            String recordedBy) {
        this(inputSeeds, timesteps, channels, height, width, expected, tolerance, trajectorySeeds, trajectorySteps,
                trajectoryEta, trajectoryTimesteps, trajectoryFinal, trajectoryTolerance, trajectoryMinPsnr, recordedBy,
                null, null, 1.0);
    }

    /** Whether the probe was recorded from a class-conditional model. */
    public boolean conditional() {
        return labels != null;
    }

    /**
     * The forward labels of a conditional probe of {@code batch} images for K classes: even images
     * get classes 0, 1, ... (mod K), odd images the null label K.
     */
    public static long[] probeLabels(int batch, int classCount) {
        long[] l = new long[batch];
        for (int k = 0; k < batch; k++) {
            l[k] = k % 2 == 1 ? classCount : (k / 2) % classCount;
        }
        return l;
    }

    /** Probe format written by {@link #toMetadata()}. */
    public static final String VERSION = "1";

    /** Batch size of the forward probe. */
    public int batch() {
        return inputSeeds.length;
    }

    /** The probe's x_t, regenerated from the seeds. */
    public float[] inputs() {
        return inputs(inputSeeds, channels * height * width);
    }

    /** Image k filled from {@code GaussianNoise(seeds[k])}, {@code per} values each. */
    public static float[] inputs(long[] seeds, int per) {
        float[] x = new float[seeds.length * per];
        for (int k = 0; k < seeds.length; k++) {
            new GaussianNoise(seeds[k]).fill(x, k * per, per);
        }
        return x;
    }

    /**
     * Records a probe from a reference model: its outputs on the seeded inputs, and the final images
     * of a seeded DDIM trajectory that {@link DdimSampler} draws with it.
     */
    public static Probe record(Denoiser reference, ProbeSettings settings, NoiseSchedule schedule,
            boolean clipSample, String recordedBy) {
        int c = reference.channels();
        int h = reference.height();
        int w = reference.width();
        long[] ts = settings.timesteps(schedule.timesteps());
        float[] x = inputs(settings.inputSeeds(), c * h * w);
        float[] out = new float[x.length];
        int k = reference.classCount();
        long[] labels = k > 0 ? probeLabels(ts.length, k) : null;
        reference.predict(x, ts, labels, out);
        long[] trajLabels = null;
        double guidance = 1.0;
        if (k > 0) {
            trajLabels = new long[settings.trajectorySeeds().length];
            for (int i = 0; i < trajLabels.length; i++) {
                trajLabels[i] = (k - 1 - i % k);
            }
            guidance = CONDITIONAL_TRAJECTORY_GUIDANCE;
        }
        int[] trajTs = TimestepSpacing.LINSPACE.timesteps(schedule.timesteps(), settings.trajectorySteps());
        float[] fin = trajectory(reference, settings.trajectorySeeds(), trajTs, settings.trajectoryEta(), schedule,
                clipSample, trajLabels, guidance);
        return new Probe(settings.inputSeeds(), ts, c, h, w, out, settings.tolerance(),
                settings.trajectorySeeds(), settings.trajectorySteps(), settings.trajectoryEta(), trajTs, fin,
                settings.trajectoryTolerance(), settings.trajectoryMinPsnr(), recordedBy, labels, trajLabels, guidance);
    }

    /**
     * As {@link #trajectory(Denoiser, long[], int[], double, NoiseSchedule, boolean)}, for a
     * class-conditional model guided towards {@code labels} with scale {@code guidance} (labels null:
     * the plain model).
     */
    public static float[] trajectory(Denoiser model, long[] seeds, int[] timesteps, double eta,
            NoiseSchedule schedule, boolean clipSample, long[] labels, double guidance) {
        Denoiser m = labels == null ? model : new GuidedDenoiser(model, labels, guidance);
        return trajectory(m, seeds, timesteps, eta, schedule, clipSample);
    }

    /**
     * Runs the seeded DDIM trajectory with {@code model}: x_T from the seeds, then one step per timestep.
     * With clipping, epsilon is re-derived from the clipped x_0 ({@code use_clipped_model_output}), the form
     * every probe has been recorded with.
     */
    public static float[] trajectory(Denoiser model, long[] seeds, int[] timesteps, double eta,
            NoiseSchedule schedule, boolean clipSample) {
        BatchNoise noise = new BatchNoise(seeds);
        float[] x = new float[seeds.length * model.channels() * model.height() * model.width()];
        noise.fill(x);
        new DdimSampler(schedule, NoiseLevels.atTimesteps(schedule, timesteps), eta, clipSample, true)
                .sample(model, x, noise, SamplingListener.NONE);
        return x;
    }

    /**
     * The linspace timesteps of probes written before {@link ProbeKeys#TRAJECTORY_TIMESTEPS} existed:
     * {@code floor((T-1)(1 - i/(steps-1)) + 0.5)}, halves rounded up.
     */
    static int[] legacyLinspace(int trainSteps, int steps) {
        int[] ts = new int[steps];
        for (int i = 0; i < steps; i++) {
            ts[i] = steps == 1 ? trainSteps - 1 : (int) Math.round((trainSteps - 1) * (1.0 - (double) i / (steps - 1)));
        }
        return ts;
    }

    /** The {@code ddpm.probe.*} entries. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(ProbeKeys.VERSION, VERSION);
        m.put(ProbeKeys.RECORDED_BY, recordedBy);
        m.put(ProbeKeys.SHAPE, batch() + "," + channels + "," + height + "," + width);
        m.put(ProbeKeys.INPUT_SEEDS, FloatCodec.joinLongs(inputSeeds));
        m.put(ProbeKeys.TIMESTEPS, FloatCodec.joinLongs(timesteps));
        m.put(ProbeKeys.OUTPUT, FloatCodec.encode(expected));
        m.put(ProbeKeys.OUTPUT_SHA256, FloatCodec.sha256(expected));
        m.put(ProbeKeys.TOLERANCE, format(tolerance));
        m.put(ProbeKeys.TRAJECTORY_SAMPLER, "ddim");
        m.put(ProbeKeys.TRAJECTORY_STEPS, Integer.toString(trajectorySteps));
        m.put(ProbeKeys.TRAJECTORY_ETA, format(trajectoryEta));
        m.put(ProbeKeys.TRAJECTORY_TIMESTEPS, FloatCodec.joinLongs(Arrays.stream(trajectoryTimesteps).asLongStream().toArray()));
        m.put(ProbeKeys.TRAJECTORY_SEEDS, FloatCodec.joinLongs(trajectorySeeds));
        m.put(ProbeKeys.TRAJECTORY_FINAL, FloatCodec.encode(trajectoryFinal));
        m.put(ProbeKeys.TRAJECTORY_TOLERANCE, format(trajectoryTolerance));
        m.put(ProbeKeys.TRAJECTORY_MIN_PSNR, format(trajectoryMinPsnr));
        if (labels != null) {
            m.put(ProbeKeys.LABELS, FloatCodec.joinLongs(labels));
            m.put(ProbeKeys.TRAJECTORY_LABELS, FloatCodec.joinLongs(trajectoryLabels));
            m.put(ProbeKeys.TRAJECTORY_GUIDANCE, format(trajectoryGuidance));
        }
        return m;
    }

    /**
     * Reads a probe from model metadata; the trajectory timesteps of a file that does not record them are
     * rebuilt from its {@code ddpm.timesteps}.
     *
     * @throws IllegalArgumentException naming the missing or malformed key
     */
    public static Probe fromMetadata(Map<String, String> metadata) {
        String t = metadata.get(org.ddpm4j.runtime.model.MetadataKeys.TIMESTEPS);
        int trainSteps = -1;
        if (t != null) {
            try {
                trainSteps = Integer.parseInt(t.trim());
            } catch (NumberFormatException e) {
                trainSteps = -1;
            }
        }
        return fromMetadata(metadata, trainSteps);
    }

    /**
     * Reads a probe from model metadata; {@code trainSteps} (the model's T) gives the trajectory timesteps of a
     * file that does not record them ({@code -1}: such a file is refused).
     *
     * @throws IllegalArgumentException naming the missing or malformed key
     */
    public static Probe fromMetadata(Map<String, String> metadata, int trainSteps) {
        String version = require(metadata, ProbeKeys.VERSION);
        if (!VERSION.equals(version)) {
            throw new IllegalArgumentException("Unsupported probe version " + ProbeKeys.VERSION + "='" + version
                    + "', expected '" + VERSION + "'");
        }
        long[] shape = FloatCodec.parseLongs(require(metadata, ProbeKeys.SHAPE), ProbeKeys.SHAPE);
        if (shape.length != 4) {
            throw new IllegalArgumentException(ProbeKeys.SHAPE + " must be B,C,H,W, found " + Arrays.toString(shape));
        }
        long[] seeds = FloatCodec.parseLongs(require(metadata, ProbeKeys.INPUT_SEEDS), ProbeKeys.INPUT_SEEDS);
        long[] ts = FloatCodec.parseLongs(require(metadata, ProbeKeys.TIMESTEPS), ProbeKeys.TIMESTEPS);
        float[] expected = FloatCodec.decode(require(metadata, ProbeKeys.OUTPUT), ProbeKeys.OUTPUT);
        long per = shape[1] * shape[2] * shape[3];
        if (seeds.length != shape[0] || ts.length != shape[0] || expected.length != shape[0] * per) {
            throw new IllegalArgumentException("Probe of shape " + Arrays.toString(shape) + " is inconsistent: "
                    + seeds.length + " seeds, " + ts.length + " timesteps, " + expected.length + " output values");
        }
        String sha = metadata.get(ProbeKeys.OUTPUT_SHA256);
        if (sha != null && !sha.equals(FloatCodec.sha256(expected))) {
            throw new IllegalArgumentException(ProbeKeys.OUTPUT + " does not match " + ProbeKeys.OUTPUT_SHA256
                    + ": the probe was altered");
        }
        long[] trajSeeds = FloatCodec.parseLongs(require(metadata, ProbeKeys.TRAJECTORY_SEEDS), ProbeKeys.TRAJECTORY_SEEDS);
        float[] fin = FloatCodec.decode(require(metadata, ProbeKeys.TRAJECTORY_FINAL), ProbeKeys.TRAJECTORY_FINAL);
        if (fin.length != trajSeeds.length * per) {
            throw new IllegalArgumentException(ProbeKeys.TRAJECTORY_FINAL + " holds " + fin.length + " values, expected "
                    + trajSeeds.length * per);
        }
        String sampler = metadata.getOrDefault(ProbeKeys.TRAJECTORY_SAMPLER, "ddim");
        if (!"ddim".equals(sampler)) {
            throw new IllegalArgumentException("Unsupported " + ProbeKeys.TRAJECTORY_SAMPLER + " '" + sampler + "', expected 'ddim'");
        }
        long[] labels = null;
        long[] trajLabels = null;
        double guidance = 1.0;
        if (metadata.containsKey(ProbeKeys.LABELS)) {
            labels = FloatCodec.parseLongs(require(metadata, ProbeKeys.LABELS), ProbeKeys.LABELS);
            trajLabels = FloatCodec.parseLongs(require(metadata, ProbeKeys.TRAJECTORY_LABELS),
                    ProbeKeys.TRAJECTORY_LABELS);
            guidance = number(metadata, ProbeKeys.TRAJECTORY_GUIDANCE);
            if (labels.length != seeds.length || trajLabels.length != trajSeeds.length) {
                throw new IllegalArgumentException("Probe labels are inconsistent: " + labels.length + " labels for "
                        + seeds.length + " images, " + trajLabels.length + " trajectory labels for "
                        + trajSeeds.length + " trajectory images");
            }
        }
        int steps = (int) number(metadata, ProbeKeys.TRAJECTORY_STEPS);
        int[] trajTs;
        String recorded = metadata.get(ProbeKeys.TRAJECTORY_TIMESTEPS);
        if (recorded != null && !recorded.isBlank()) {
            long[] t = FloatCodec.parseLongs(recorded, ProbeKeys.TRAJECTORY_TIMESTEPS);
            if (t.length != steps) {
                throw new IllegalArgumentException(ProbeKeys.TRAJECTORY_TIMESTEPS + " holds " + t.length
                        + " timesteps, expected " + ProbeKeys.TRAJECTORY_STEPS + " = " + steps);
            }
            trajTs = Arrays.stream(t).mapToInt(Math::toIntExact).toArray();
        } else if (trainSteps > 0) {
            trajTs = legacyLinspace(trainSteps, steps);
        } else {
            throw new IllegalArgumentException("Model has no probe key '" + ProbeKeys.TRAJECTORY_TIMESTEPS
                    + "' and no T was given to rebuild it");
        }
        return new Probe(seeds, ts, (int) shape[1], (int) shape[2], (int) shape[3], expected,
                number(metadata, ProbeKeys.TOLERANCE), trajSeeds, steps, number(metadata, ProbeKeys.TRAJECTORY_ETA),
                trajTs, fin, number(metadata, ProbeKeys.TRAJECTORY_TOLERANCE),
                number(metadata, ProbeKeys.TRAJECTORY_MIN_PSNR), metadata.getOrDefault(ProbeKeys.RECORDED_BY, "unknown"),
                labels, trajLabels, guidance);
    }

    /** Whether the metadata carries a probe at all. */
    public static boolean isPresent(Map<String, String> metadata) {
        return metadata.containsKey(ProbeKeys.OUTPUT);
    }

    private static String require(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("Model has no probe key '" + key + "'; re-export it with 'ddpm export'");
        }
        return v;
    }

    private static double number(Map<String, String> m, String key) {
        String v = require(m, key);
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, found '" + v + "'", e);
        }
    }

    static String format(double v) {
        return String.format(Locale.ROOT, "%s", v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Probe p && Arrays.equals(p.inputSeeds, inputSeeds) && Arrays.equals(p.timesteps, timesteps)
                && p.channels == channels && p.height == height && p.width == width
                && Arrays.equals(p.expected, expected) && p.tolerance == tolerance
                && Arrays.equals(p.trajectorySeeds, trajectorySeeds) && p.trajectorySteps == trajectorySteps
                && p.trajectoryEta == trajectoryEta && Arrays.equals(p.trajectoryTimesteps, trajectoryTimesteps) && Arrays.equals(p.trajectoryFinal, trajectoryFinal)
                && p.trajectoryTolerance == trajectoryTolerance && p.trajectoryMinPsnr == trajectoryMinPsnr
                && p.recordedBy.equals(recordedBy) && Arrays.equals(p.labels, labels)
                && Arrays.equals(p.trajectoryLabels, trajectoryLabels) && p.trajectoryGuidance == trajectoryGuidance;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(expected) * 31 + Arrays.hashCode(trajectoryFinal);
    }

    @Override
    public String toString() {
        return "Probe[shape=" + batch() + "," + channels + "," + height + "," + width + ", timesteps="
                + Arrays.toString(timesteps) + ", tolerance=" + tolerance + ", trajectory=ddim " + trajectorySteps
                + " steps eta " + trajectoryEta + " seeds " + Arrays.toString(trajectorySeeds) + "]";
    }
}
