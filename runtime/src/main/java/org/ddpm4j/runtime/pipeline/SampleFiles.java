package org.ddpm4j.runtime.pipeline;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.runtime.image.AnimatedGif;
import org.ddpm4j.runtime.image.PngFiles;

/**
 * Writes a {@link GenerationResult} to disk: one PNG per image, whose {@code tEXt} chunks record how
 * it was made ({@value #KEY_SEED}, {@value #KEY_SAMPLER}, {@value #KEY_STEPS}, {@value #KEY_MODEL_SHA256}),
 * a grid PNG, and an animated GIF of the reverse process. Every file is written atomically.
 */
public final class SampleFiles {

    /** The narrowest image index in a file name. */
    public static final int MIN_INDEX_WIDTH = 4;

    /** PNG text keyword: the image's seed. */
    public static final String KEY_SEED = "ddpm.seed";
    /** PNG text keyword: the sampler, e.g. {@code dpmpp(20 steps)}. */
    public static final String KEY_SAMPLER = "ddpm.sampler";
    /** PNG text keyword: denoiser calls. */
    public static final String KEY_STEPS = "ddpm.steps";
    /** PNG text keyword: SHA-256 of the model file. */
    public static final String KEY_MODEL_SHA256 = "ddpm.model_sha256";
    /** PNG text keyword: the sampler's name as {@code Samplers.create} reads it ({@code dpmpp-sde}). */
    public static final String KEY_SAMPLER_NAME = "ddpm.sampler_name";
    /** PNG text keyword: the timestep spacing. */
    public static final String KEY_SPACING = "ddpm.spacing";
    /** PNG text keyword: DDIM eta. */
    public static final String KEY_ETA = "ddpm.eta";
    /** PNG text keyword: DDPM variance. */
    public static final String KEY_VARIANCE = "ddpm.variance";
    /** PNG text keyword: whether x_0 was clipped. */
    public static final String KEY_CLIP = "ddpm.clip";
    /** PNG text keyword: DDIM's use_clipped_model_output. */
    public static final String KEY_CLIPPED_MODEL_OUTPUT = "ddpm.clipped_model_output";
    /** PNG text keyword: the model's file name. */
    public static final String KEY_MODEL = "ddpm.model";
    /** PNG text keyword: the ddpm4j version that drew the image. */
    public static final String KEY_VERSION = "ddpm.version";
    /** PNG text keyword: all seeds of a grid, comma-separated. */
    public static final String KEY_SEEDS = "ddpm.seeds";
    /** PNG text key: the class label of a class-conditional image (the grid: one per image, comma-separated). */
    public static final String KEY_CLASS = "ddpm.class";
    /** PNG text key: the class name of a class-conditional image, when the model names its classes. */
    public static final String KEY_CLASS_NAME = "ddpm.class_name";
    /**
     * PNG text key: {@code seed} when the class of a class-conditional image came from its seed (no class
     * named), so {@code --like} with another {@code --seed} or {@code -n} gives each seed its own class.
     */
    public static final String KEY_CLASS_FROM = "ddpm.class_from";
    /** PNG text key: the classifier-free guidance scale of a class-conditional image. */
    public static final String KEY_GUIDANCE = "ddpm.guidance";

    /** The ddpm4j version written into every image ({@link #KEY_VERSION}). */
    public static final String VERSION = "0.1.0";

    private SampleFiles() {
    }

    /**
     * The settings that, with an image's seed (and class), draw it again: what {@code ddpm sample} and
     * the Spark sampling job write into every PNG and {@code ddpm sample --like} reads back.
     *
     * @param samplerName        the sampler as {@code Samplers.create} reads it ({@code dpmpp-sde})
     * @param spacing            the timestep spacing the sampler used
     * @param clip               whether x_0 was clipped (the sampler's effective setting)
     * @param modelFileName      the model's file name (its sha256 is written separately)
     */
    public static Map<String, String> settingsText(String samplerName, String spacing, double eta, String variance,
            boolean clip, boolean clippedModelOutput, String modelFileName) {
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        settings.put(KEY_SAMPLER_NAME, samplerName);
        settings.put(KEY_SPACING, spacing);
        settings.put(KEY_ETA, Double.toString(eta));
        settings.put(KEY_VARIANCE, variance);
        settings.put(KEY_CLIP, Boolean.toString(clip));
        settings.put(KEY_CLIPPED_MODEL_OUTPUT, Boolean.toString(clippedModelOutput));
        settings.put(KEY_MODEL, modelFileName);
        settings.put(KEY_VERSION, VERSION);
        return settings;
    }

    /**
     * Writes image k to {@code dir/<prefix><k, 4 digits>-seed<seed>.png}.
     *
     * @param modelSha256 the model's hash, or null when unknown
     * @return the files written, in image order
     */
    public static List<Path> writeImages(GenerationResult result, Path dir, String prefix, String modelSha256)
            throws IOException {
        return writeImages(result, dir, prefix, modelSha256, Map.of());
    }

    /**
     * Writes image k to {@code dir/<prefix><k, 4 digits>-seed<seed>.png}, with {@code settings} (for instance
     * {@link #KEY_SPACING}, {@link #KEY_ETA}: everything needed to draw the image again) in its text chunks too.
     *
     * @param modelSha256 the model's hash, or null when unknown
     * @return the files written, in image order
     */
    public static List<Path> writeImages(GenerationResult result, Path dir, String prefix, String modelSha256,
            Map<String, String> settings) throws IOException {
        return writeImages(result, 0, dir, prefix, modelSha256, settings);
    }

    /**
     * Writes image k of {@code result} as image {@code firstIndex + k} of a larger set (one batch of it, see
     * {@link DiffusionPipeline#generate(GenerationRequest, DiffusionPipeline.BatchListener)}): the same files
     * and bytes as writing the whole set at once.
     *
     * @return the files written, in image order
     * @throws IOException at the first image that cannot be written (naming its file); nothing after it is written
     */
    public static List<Path> writeImages(GenerationResult result, int firstIndex, Path dir, String prefix,
            String modelSha256, Map<String, String> settings) throws IOException {
        return writeImages(result, firstIndex, firstIndex + result.count(), dir, prefix, modelSha256, settings);
    }

    /**
     * Writes image k of {@code result} as image {@code firstIndex + k} of a set of {@code total} images, its index
     * padded to the width of the set's last index ({@link #indexWidth}), so the whole set's names sort by index.
     *
     * @return the files written, in image order
     * @throws IOException at the first image that cannot be written (naming its file); nothing after it is written
     */
    public static List<Path> writeImages(GenerationResult result, int firstIndex, long total, Path dir, String prefix,
            String modelSha256, Map<String, String> settings) throws IOException {
        if (firstIndex + result.count() > total) {
            throw new IllegalArgumentException("images " + firstIndex + ".." + (firstIndex + result.count() - 1)
                    + " do not fit in a set of " + total);
        }
        List<Path> out = new ArrayList<>();
        for (int k = 0; k < result.count(); k++) {
            long seed = result.seeds()[k];
            Path file = dir.resolve(imageFileName(prefix, firstIndex + k, seed, total));
            Map<String, String> text = imageText(result, k, modelSha256);
            settings.forEach(text::putIfAbsent);
            PngFiles.write(result.image(k), file, text);
            out.add(file);
        }
        return out;
    }

    /** The file name of image {@code index} of a set of at most 10,000: {@code <prefix><index, 4 digits>-seed<seed>.png}. */
    public static String imageFileName(String prefix, long index, long seed) {
        return imageFileName(prefix, index, seed, index + 1);
    }

    /**
     * The file name {@link #writeImages} gives image {@code index} of a set of {@code total} images:
     * {@code <prefix><index>-seed<seed>.png}, the index zero-padded to {@link #indexWidth}.
     */
    public static String imageFileName(String prefix, long index, long seed, long total) {
        String digits = Long.toString(index);
        return prefix + "0".repeat(Math.max(0, indexWidth(total) - digits.length())) + digits + "-seed" + seed + ".png";
    }

    /**
     * Digits of each index in a set of {@code total} images: those of the last index, at least 4 (so sets of up to
     * 10,000 images have 4-digit names), so names sort by index at any size.
     */
    public static int indexWidth(long total) {
        return Math.max(MIN_INDEX_WIDTH, Long.toString(Math.max(0, total - 1)).length());
    }

    /** The text chunks {@link #writeImages} writes into the PNG of image {@code k} of {@code result}. */
    public static Map<String, String> imageText(GenerationResult result, int k, String modelSha256) {
        Map<String, String> text = common(result, modelSha256);
        text.put(KEY_SEED, Long.toString(result.seeds()[k]));
        if (result.labels() != null) {
            long label = result.labels()[k];
            text.put(KEY_CLASS, Long.toString(label));
            if (label < result.classNames().size()) {
                text.put(KEY_CLASS_NAME, result.classNames().get((int) label));
            }
        }
        return text;
    }

    /** Writes all images as one grid PNG, {@code columns} wide, each image scaled by {@code scale}. */
    public static Path writeGrid(GenerationResult result, Path file, int columns, int scale, String modelSha256)
            throws IOException {
        Map<String, String> text = common(result, modelSha256);
        long[] seeds = result.seeds();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < seeds.length; i++) {
            sb.append(i == 0 ? "" : ",").append(seeds[i]);
        }
        text.put(KEY_SEEDS, sb.toString());
        if (result.labels() != null) {
            StringBuilder lb = new StringBuilder();
            for (int i = 0; i < result.labels().length; i++) {
                lb.append(i == 0 ? "" : ",").append(result.labels()[i]);
            }
            text.put(KEY_CLASS, lb.toString());
        }
        PngFiles.write(result.grid(columns, scale), file, text);
        return file;
    }

    /**
     * Writes the kept frames (see {@link GenerationRequest#trajectoryEvery()}) as a looping GIF of grids.
     *
     * @throws IllegalArgumentException when the request kept no frames
     */
    public static Path writeAnimation(GenerationResult result, Path file, int columns, int scale, int delayCentis)
            throws IOException {
        if (result.frames().isEmpty()) {
            throw new IllegalArgumentException("the result has no frames: generate with trajectoryEvery > 0");
        }
        List<BufferedImage> grids = result.frameGrids(columns, scale);
        AnimatedGif.write(grids, delayCentis, Math.max(delayCentis, 200), file);
        return file;
    }

    private static Map<String, String> common(GenerationResult result, String modelSha256) {
        Map<String, String> text = new LinkedHashMap<>();
        text.put("Software", "ddpm4j");
        text.put(KEY_SAMPLER, result.sampler());
        text.put(KEY_STEPS, Integer.toString(result.steps()));
        if (modelSha256 != null) {
            text.put(KEY_MODEL_SHA256, modelSha256);
        }
        if (result.labels() != null) {
            text.put(KEY_GUIDANCE, Double.toString(result.guidance()));
        }
        return text;
    }
}
