package org.ddpm4j.runtime.model;

import java.util.List;

/**
 * The {@code metadata_props} keys of the model contract (all values are strings). Required keys
 * are listed in {@link #REQUIRED}; {@link #BETA_START} and {@link #BETA_END} are required only by
 * schedules with a beta range (every schedule but cosine).
 */
public final class MetadataKeys {

    private MetadataKeys() {
    }

    /** Prefix of every key ddpm4j reads or writes. */
    public static final String PREFIX = "ddpm.";
    /** Contract version; this runtime reads {@value #FORMAT_VERSION}. */
    public static final String FORMAT = "ddpm.format";
    /** The contract version this runtime writes and reads. */
    public static final String FORMAT_VERSION = "1";
    /** {@code epsilon}, {@code sample} or {@code v}. */
    public static final String PREDICTION = "ddpm.prediction";
    /** {@code linear}, {@code cosine}, {@code scaled_linear} or {@code sigmoid}. */
    public static final String SCHEDULE = "ddpm.schedule";
    /** T, the number of training diffusion steps. */
    public static final String TIMESTEPS = "ddpm.timesteps";
    /** beta_1 of a beta-range schedule. */
    public static final String BETA_START = "ddpm.beta_start";
    /** beta_T of a beta-range schedule. */
    public static final String BETA_END = "ddpm.beta_end";
    /** Image size: {@code "H,W"} (also read: a single {@code "N"} for square images, {@code "HxW"}). */
    public static final String IMAGE_SIZE = "ddpm.image_size";
    /** Image channels C. */
    public static final String CHANNELS = "ddpm.channels";
    /** {@code true} or {@code false}: whether samplers clip the predicted x_0 to [-1, 1]. */
    public static final String CLIP_SAMPLE = "ddpm.clip_sample";
    /** Optional: number of classes of a class-conditional model. */
    public static final String CLASS_COUNT = "ddpm.class_count";
    /** Optional: the class names of a class-conditional model, comma-separated, in label order. */
    public static final String CLASS_NAMES = "ddpm.class_names";
    /** Optional: the UNet spec as JSON. */
    public static final String UNET = "ddpm.unet";
    /** Prefix of the optional training provenance keys (steps, data set, loss, seed, git commit). */
    public static final String TRAIN_PREFIX = "ddpm.train.";
    /** Prefix of the optional reference probe keys. */
    public static final String PROBE_PREFIX = "ddpm.probe.";

    /** Keys every model must carry (plus the beta range for beta-range schedules). */
    public static final List<String> REQUIRED = List.of(FORMAT, PREDICTION, SCHEDULE, TIMESTEPS,
            IMAGE_SIZE, CHANNELS, CLIP_SAMPLE);

    /** Contract name of the image input. */
    public static final String INPUT_SAMPLE = "sample";
    /** Contract name of the timestep input. */
    public static final String INPUT_TIMESTEP = "timestep";
    /**
     * Contract name of the class-label input of a class-conditional model: int64 (or int32) {@code [B]},
     * labels {@code 0..K-1} the classes and {@code K} the null (unconditional) label.
     */
    public static final String INPUT_CLASS_LABEL = "class_label";

    /** The command that adds the metadata to a file that lacks it. */
    public static final String ADOPT_HINT = "add the ddpm.* metadata with: ddpm adopt --model in.onnx --out out.onnx"
            + " --schedule linear --timesteps 1000 --prediction epsilon --image-size H,W --channels C";
}
