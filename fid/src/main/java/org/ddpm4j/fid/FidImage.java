package org.ddpm4j.fid;

import java.util.Objects;

/**
 * One image of an image set: channel-major (CHW) floats in [0, 1].
 *
 * @param channels 1 (gray) or 3 (RGB)
 * @param height   height in pixels
 * @param width    width in pixels
 * @param pixels   {@code channels * height * width} values in [0, 1]
 * @param label    the class the image was asked to show (a class-conditional model's label), or
 *                 {@link #NO_LABEL}
 */
public record FidImage(int channels, int height, int width, float[] pixels, int label) {

    /** The label of an image that was not asked to show a class. */
    public static final int NO_LABEL = -1;

    /** An image without a class label. */
    public FidImage(int channels, int height, int width, float[] pixels) {
        this(channels, height, width, pixels, NO_LABEL);
    }

    /** Validates the shape. */
    public FidImage {
        Objects.requireNonNull(pixels, "pixels");
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image shape must be positive, found " + channels + "x" + height
                    + "x" + width);
        }
        if (pixels.length != channels * height * width) {
            throw new IllegalArgumentException("image " + channels + "x" + height + "x" + width + " needs "
                    + (channels * height * width) + " values, found " + pixels.length);
        }
        if (label < NO_LABEL) {
            throw new IllegalArgumentException("image label must be a class (>= 0) or NO_LABEL (-1), found " + label);
        }
    }

    /** Whether the image carries a class label. */
    public boolean labelled() {
        return label != NO_LABEL;
    }
}
