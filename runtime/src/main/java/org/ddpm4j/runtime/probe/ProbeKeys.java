package org.ddpm4j.runtime.probe;

/** Metadata keys of the embedded probe ({@code ddpm.probe.*}). */
public final class ProbeKeys {

    private ProbeKeys() {
    }

    /** Prefix of every probe key. */
    public static final String PREFIX = "ddpm.probe.";
    /** Probe format version, "1". */
    public static final String VERSION = PREFIX + "version";
    /** Who computed the expected values (e.g. "ddpm4j trainer (DJL PyTorch 2.5.1, cpu)"). */
    public static final String RECORDED_BY = PREFIX + "recorded_by";
    /** Probe image shape "B,C,H,W". */
    public static final String SHAPE = PREFIX + "shape";
    /** One seed per probe image: x_t of image k is {@code GaussianNoise(seed_k)} filled over C*H*W values. */
    public static final String INPUT_SEEDS = PREFIX + "input_seeds";
    /** One timestep per probe image. */
    public static final String TIMESTEPS = PREFIX + "timesteps";
    /** Expected model outputs, base64 float32 little-endian, B*C*H*W values. */
    public static final String OUTPUT = PREFIX + "output";
    /** sha256 (hex) of the expected outputs' float32 little-endian bytes. */
    public static final String OUTPUT_SHA256 = PREFIX + "output_sha256";
    /** Largest allowed absolute difference on the outputs. */
    public static final String TOLERANCE = PREFIX + "tolerance";
    /** Largest absolute difference measured at export time (file vs trainer). */
    public static final String EXPORT_MAX_ABS_ERROR = PREFIX + "export_max_abs_error";
    /** Sampler of the trajectory ("ddim"). */
    public static final String TRAJECTORY_SAMPLER = PREFIX + "trajectory.sampler";
    /** DDIM steps of the trajectory. */
    public static final String TRAJECTORY_STEPS = PREFIX + "trajectory.steps";
    /** DDIM eta of the trajectory. */
    public static final String TRAJECTORY_ETA = PREFIX + "trajectory.eta";
    /** Timesteps the trajectory visits, comma-separated (absent in files written before it: linspace, halves up). */
    public static final String TRAJECTORY_TIMESTEPS = PREFIX + "trajectory.timesteps";
    /** Seeds of the trajectory's {@code BatchNoise} (x_T and any stochastic noise). */
    public static final String TRAJECTORY_SEEDS = PREFIX + "trajectory.seeds";
    /** The trajectory's final images, base64 float32 little-endian. */
    public static final String TRAJECTORY_FINAL = PREFIX + "trajectory.final";
    /** Largest allowed absolute difference on the final images. */
    public static final String TRAJECTORY_TOLERANCE = PREFIX + "trajectory.tolerance";
    /** Smallest allowed PSNR (dB, peak-to-peak 2) of the final images. */
    public static final String TRAJECTORY_MIN_PSNR = PREFIX + "trajectory.min_psnr";
    /** Class-conditional models: one class label per probe image (the null label K among them). */
    public static final String LABELS = PREFIX + "labels";
    /** Class-conditional models: one class label per trajectory image. */
    public static final String TRAJECTORY_LABELS = PREFIX + "trajectory.labels";
    /** Class-conditional models: the classifier-free guidance scale of the trajectory. */
    public static final String TRAJECTORY_GUIDANCE = PREFIX + "trajectory.guidance";
}
