package org.ddpm4j.runtime.pipeline;

import java.util.Arrays;
import org.ddpm4j.runtime.noise.Slerp;

/**
 * An editing mode of a {@link GenerationRequest}: start from a given image (image-to-image), complete a masked
 * part of one (inpainting), or walk between two seeds' starting noises (interpolation). Images are model
 * tensors: {@code C*H*W} values in [-1, 1] at the model's size (see
 * {@link org.ddpm4j.runtime.image.InputImages} to read and convert a file), either one for every image of the
 * request or one per image.
 */
public sealed interface ImageEdit permits ImageEdit.ImageToImage, ImageEdit.Inpainting, ImageEdit.Interpolation {

    /** The mode's name in PNG text chunks: {@code img2img}, {@code inpaint} or {@code interpolate}. */
    String mode();

    /**
     * SDEdit: the image noised to the level that {@code strength} chooses, then the sampler's remaining steps
     * (see {@link org.ddpm4j.runtime.sampling.ImageToImage}).
     *
     * @param init     the starting image(s)
     * @param strength in (0, 1]: 1 samples from noise, small values keep the image
     */
    record ImageToImage(float[] init, double strength) implements ImageEdit {
        /** Checks the strength and copies the image. */
        public ImageToImage {
            org.ddpm4j.runtime.sampling.ImageToImage.checkStrength(strength);
            init = checkedImage(init, "image-to-image");
        }

        @Override
        public float[] init() {
            return init.clone();
        }

        @Override
        public String mode() {
            return "img2img";
        }
    }

    /**
     * RePaint inpainting (see {@link org.ddpm4j.runtime.sampling.RePaint}).
     *
     * @param init        the image(s) whose unmasked part is kept
     * @param mask        1 where a pixel is regenerated, 0 where it is kept: {@code H*W} values (one mask for every
     *                    channel), one for all images or one per image
     * @param jumpLength  RePaint's j (diffusers' {@code jump_length})
     * @param jumpNSample RePaint's r (diffusers' {@code jump_n_sample})
     */
    record Inpainting(float[] init, float[] mask, int jumpLength, int jumpNSample) implements ImageEdit {
        /** Checks the values and copies the arrays. */
        public Inpainting {
            init = checkedImage(init, "inpainting");
            if (mask == null || mask.length == 0) {
                throw new IllegalArgumentException("inpainting needs a mask");
            }
            for (float m : mask) {
                if (m != 0f && m != 1f) {
                    throw new IllegalArgumentException("mask values must be 0 (keep) or 1 (regenerate), found " + m);
                }
            }
            mask = mask.clone();
            if (jumpLength < 1 || jumpNSample < 1) {
                throw new IllegalArgumentException("jump length and jump n-sample must be at least 1, found "
                        + jumpLength + " and " + jumpNSample);
            }
        }

        @Override
        public float[] init() {
            return init.clone();
        }

        @Override
        public float[] mask() {
            return mask.clone();
        }

        @Override
        public String mode() {
            return "inpaint";
        }
    }

    /**
     * Images between two seeds: image k starts from the spherical interpolation ({@link Slerp}) of the starting
     * noises of {@code seedA} and {@code seedB} at {@code positions[k]}; a deterministic sampler is required.
     *
     * @param seedA     the seed at position 0
     * @param seedB     the seed at position 1
     * @param positions one per image, in [0, 1]
     */
    record Interpolation(long seedA, long seedB, double[] positions) implements ImageEdit {
        /** Checks and copies the positions. */
        public Interpolation {
            if (positions == null || positions.length == 0) {
                throw new IllegalArgumentException("an interpolation needs at least one position");
            }
            for (double p : positions) {
                if (!(p >= 0 && p <= 1)) {
                    throw new IllegalArgumentException("interpolation positions must be in [0, 1], found " + p);
                }
            }
            positions = positions.clone();
        }

        /** {@code frames} evenly spaced images from seed A to seed B, both ends included. */
        public static Interpolation frames(long seedA, long seedB, int frames) {
            return new Interpolation(seedA, seedB, Slerp.positions(frames));
        }

        @Override
        public double[] positions() {
            return positions.clone();
        }

        @Override
        public String mode() {
            return "interpolate";
        }

        @Override
        public String toString() {
            return "Interpolation[" + seedA + " to " + seedB + " at " + Arrays.toString(positions) + "]";
        }
    }

    private static float[] checkedImage(float[] init, String what) {
        if (init == null || init.length == 0) {
            throw new IllegalArgumentException(what + " needs an image");
        }
        for (float v : init) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException(what + ": image values must be finite, found " + v);
            }
        }
        return init.clone();
    }
}
