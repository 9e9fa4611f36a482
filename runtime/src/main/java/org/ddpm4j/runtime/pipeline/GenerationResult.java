package org.ddpm4j.runtime.pipeline;

import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.ddpm4j.runtime.image.ImageTensors;

/**
 * Generated images as one NCHW float tensor in [-1, 1] (values may slightly overshoot; images clamp).
 *
 * @param samples      {@code count * C * H * W} values, image k at offset {@code k * C * H * W}
 * @param channels     C
 * @param height       H
 * @param width        W
 * @param seeds        the seed of each image
 * @param sampler      the sampler that made them, e.g. {@code dpmpp(20 steps)}
 * @param steps        the sampler's steps: denoiser calls per image when sampling from noise (image-to-image runs
 *                     the last of them, inpainting with jumps repeats some; {@code sampler} says how many)
 * @param frameSteps   for an animation: the step after which each frame was kept (0 = the starting noise)
 * @param frames       the whole set of images at each of {@code frameSteps} (empty when none were asked for)
 * @param elapsed      wall time of the request
 * @param labels       the class label of each image of a class-conditional request, or null
 * @param classNames   the model's class names in label order (empty when it names none)
 * @param guidance     the classifier-free guidance scale (1 when unguided)
 */
public record GenerationResult(float[] samples, int channels, int height, int width, long[] seeds, String sampler,
        int steps, int[] frameSteps, List<float[]> frames, Duration elapsed, long[] labels, List<String> classNames,
        double guidance) {

    public GenerationResult {
        frames = List.copyOf(frames);
        classNames = classNames == null ? List.of() : List.copyOf(classNames);
    }

    /** An unconditional result. */
    public GenerationResult(float[] samples, int channels, int height, int width, long[] seeds, String sampler,
            int steps, int[] frameSteps, List<float[]> frames, Duration elapsed) {
        this(samples, channels, height, width, seeds, sampler, steps, frameSteps, frames, elapsed, null, List.of(), 1.0);
    }

    /** Number of images. */
    public int count() {
        return seeds.length;
    }

    /** Values per image, C*H*W. */
    public int imageValues() {
        return channels * height * width;
    }

    /** A copy of image k's values (CHW). */
    public float[] tensor(int k) {
        return Arrays.copyOfRange(samples, k * imageValues(), (k + 1) * imageValues());
    }

    /** Image k as an RGB image (gray for one channel). */
    public BufferedImage image(int k) {
        return ImageTensors.toImage(samples, k, channels, height, width);
    }

    /** All images as a grid {@code columns} wide, 2-pixel borders, scaled by {@code scale}. */
    public BufferedImage grid(int columns, int scale) {
        return ImageTensors.grid(samples, count(), channels, height, width, columns, 2, scale);
    }

    /** One grid per kept frame, for an animated GIF of the reverse process. */
    public List<BufferedImage> frameGrids(int columns, int scale) {
        List<BufferedImage> out = new ArrayList<>();
        for (float[] f : frames) {
            out.add(ImageTensors.grid(f, count(), channels, height, width, columns, 2, scale));
        }
        return out;
    }

    /** Images per second of wall time. */
    public double imagesPerSecond() {
        return count() / Math.max(1e-9, elapsed.toNanos() / 1e9);
    }
}
