package org.ddpm4j.runtime.pipeline;

/**
 * PNG text keys of an edited image (next to {@link SampleFiles}' keys): enough, with the files they name, to
 * make the image again ({@code ddpm sample --like}).
 */
public final class EditKeys {

    /** The editing mode: {@code img2img}, {@code inpaint} or {@code interpolate} ({@link ImageEdit#mode()}). */
    public static final String MODE = "ddpm.edit";
    /** The starting image's path, as it was given. */
    public static final String INIT = "ddpm.init";
    /** SHA-256 of the starting image's file. */
    public static final String INIT_SHA256 = "ddpm.init_sha256";
    /** The starting image's size in the file, {@code WxH}. */
    public static final String INIT_SIZE = "ddpm.init_size";
    /** How images were brought to the model's size: the filter's name, or {@code none} ({@code --no-resize}). */
    public static final String RESIZE = "ddpm.resize";
    /** Image-to-image strength. */
    public static final String STRENGTH = "ddpm.strength";
    /** The mask's path, as it was given. */
    public static final String MASK = "ddpm.mask";
    /** SHA-256 of the mask's file. */
    public static final String MASK_SHA256 = "ddpm.mask_sha256";
    /** RePaint's jump length. */
    public static final String JUMP_LENGTH = "ddpm.jump_length";
    /** RePaint's jump n-sample. */
    public static final String JUMP_N_SAMPLE = "ddpm.jump_n_sample";
    /** The two seeds of an interpolation, {@code A,B}. */
    public static final String INTERPOLATE = "ddpm.interpolate";
    /** The frame count of an interpolation. */
    public static final String FRAMES = "ddpm.frames";
    /** The frame index (0 = seed A, frames - 1 = seed B). */
    public static final String FRAME = "ddpm.frame";

    private EditKeys() {
    }
}
