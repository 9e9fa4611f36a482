package org.ddpm4j.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.ddpm4j.runtime.image.PngFiles;
import org.ddpm4j.runtime.model.ClassLabels;
import org.ddpm4j.runtime.onnx.OnnxDenoiser;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.SampleFiles;

/**
 * The settings a {@code ddpm sample} PNG records, for {@code ddpm-spark sample --like PNG}: read and checked as
 * {@code ddpm sample --like} reads them.
 *
 * @param png  the PNG
 * @param text its text chunks (empty without a PNG)
 */
record LikeImage(Path png, Map<String, String> text) {

    /**
     * The text chunks of a PNG written by {@code ddpm sample}.
     *
     * @throws IllegalArgumentException when it lacks the settings {@code ddpm sample} writes
     */
    static Map<String, String> read(Path png) throws IOException {
        if (!Files.isRegularFile(png)) {
            throw new NoSuchFileException(png.toString(), null, "--like PNG not found");
        }
        Map<String, String> text = PngFiles.readText(png);
        for (String key : List.of(SampleFiles.KEY_SAMPLER_NAME, SampleFiles.KEY_SEED, SampleFiles.KEY_STEPS)) {
            if (!text.containsKey(key)) {
                throw new IllegalArgumentException(png + " has no '" + key + "' text chunk, expected a PNG written by "
                        + "ddpm sample (a single image, not a grid) with ddpm4j " + SampleFiles.VERSION + " or later");
            }
        }
        return text;
    }

    /**
     * Checks that {@code model} is the model the PNG was drawn by (its sha256) and returns its class count.
     *
     * @throws IllegalArgumentException naming both hashes when it is another model
     */
    static int checkModel(Path png, Map<String, String> text, String model, Configuration hadoop) throws IOException {
        ShippedFile file = ShippedFile.of(model, "model", hadoop);
        String wanted = text.get(SampleFiles.KEY_MODEL_SHA256);
        if (wanted != null && !wanted.equals(file.sha256())) {
            throw new IllegalArgumentException(png + " was drawn by a model with sha256 " + wanted + " ("
                    + text.getOrDefault(SampleFiles.KEY_MODEL, "name not recorded") + "), found " + file.sha256()
                    + " in " + model + "; pass that model with --model");
        }
        try (OnnxDenoiser d = OnnxDenoiser.open(file.localCopy(hadoop), OnnxOptions.DEFAULTS.withThreads(1))) {
            return d.classCount();
        }
    }

    /**
     * The class the PNG was drawn for, as {@code --class} takes it: null when there is no PNG or its class came
     * from its seed, its label, or 'none' for the null label (or a class-conditional model's PNG without a class).
     */
    String classChoice(int classCount) {
        if (text.isEmpty() || classCount == 0 || "seed".equals(text.get(SampleFiles.KEY_CLASS_FROM))) {
            return classCount == 0 ? text.get(SampleFiles.KEY_CLASS) : null;
        }
        String recorded = text.get(SampleFiles.KEY_CLASS);
        return recorded == null || recorded.trim().equals(Integer.toString(classCount)) ? ClassLabels.NONE : recorded;
    }

    long longValue(String key) {
        try {
            return Long.parseLong(text.get(key).trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw bad(key, "an integer");
        }
    }

    int intValue(String key) {
        try {
            return Integer.parseInt(text.get(key).trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw bad(key, "an integer");
        }
    }

    double doubleValue(String key) {
        try {
            return Double.parseDouble(text.get(key).trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw bad(key, "a number");
        }
    }

    private IllegalArgumentException bad(String key, String expected) {
        return new IllegalArgumentException(png + ": text chunk '" + key + "' holds '" + text.get(key) + "', expected "
                + expected);
    }
}
