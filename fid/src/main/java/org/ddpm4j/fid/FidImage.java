package org.ddpm4j.fid;

import java.util.Objects;

/**
 * One image of an image set: channel-major (CHW) floats in [0, 1].
 *
 * @param channels 1 (gray) or 3 (RGB)
 * @param height   height in pixels
 * @param width    width in pixels
 * @param pixels   {@code channels * height * width} values in [0, 1]
 */
public record FidImage(int channels, int height, int width, float[] pixels) {

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
    }
}
