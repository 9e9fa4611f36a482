package org.ddpm4j.runtime.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ddpm4j.runtime.image.PngFiles;

/**
 * Reads back the settings {@link SampleFiles} writes into an image's PNG text chunks, to draw the image
 * again ({@code ddpm sample --like}). Every value is checked as it is read: a malformed one is refused with
 * the file, the key and what it held, not with a bare number-format message.
 */
public final class LikePng {

    /** The keys every single-image PNG of {@code ddpm sample} holds. */
    public static final List<String> REQUIRED = List.of(SampleFiles.KEY_SAMPLER_NAME, SampleFiles.KEY_SEED,
            SampleFiles.KEY_STEPS);

    private LikePng() {
    }

    /**
     * The text chunks of {@code png}, which must hold the {@link #REQUIRED} keys, and whose numeric and
     * true/false keys must hold what their names promise.
     *
     * @throws NoSuchFileException      when there is no such file
     * @throws IOException              when it is not a readable PNG
     * @throws IllegalArgumentException naming the file, the key and the value that is wrong
     */
    public static Map<String, String> read(Path png) throws IOException {
        if (!Files.isRegularFile(png)) {
            throw new NoSuchFileException(png.toString());
        }
        Map<String, String> text = PngFiles.readText(png);
        for (String key : REQUIRED) {
            if (!text.containsKey(key)) {
                throw new IllegalArgumentException(png + " has no '" + key + "' text chunk, expected a PNG written by "
                        + "ddpm sample (a single image, not a grid) with ddpm4j " + SampleFiles.VERSION + " or later");
            }
        }
        check(png, text, SampleFiles.KEY_SEED, "an integer seed", Long::parseLong);
        check(png, text, SampleFiles.KEY_STEPS, "a whole number of steps, 1 or more", v -> {
            if (Integer.parseInt(v) < 1) {
                throw new NumberFormatException();
            }
        });
        check(png, text, SampleFiles.KEY_ETA, "a number", v -> finite(Double.parseDouble(v.trim())));
        check(png, text, SampleFiles.KEY_GUIDANCE, "a number", v -> finite(Double.parseDouble(v.trim())));
        check(png, text, SampleFiles.KEY_CLIP, "true or false", LikePng::bool);
        check(png, text, SampleFiles.KEY_CLIPPED_MODEL_OUTPUT, "true or false", LikePng::bool);
        check(png, text, SampleFiles.KEY_MODEL_SHA256, "64 hexadecimal digits", v -> {
            if (!v.trim().matches("[0-9a-fA-F]{64}")) {
                throw new NumberFormatException();
            }
        });
        return text;
    }

    private interface Parse {
        void parse(String value);
    }

    private static void check(Path png, Map<String, String> text, String key, String expected, Parse parse) {
        String value = text.get(key);
        if (value == null) {
            return;
        }
        try {
            parse.parse(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(png + ": text chunk '" + key + "' holds '" + shorten(value) + "', expected "
                    + expected);
        }
    }

    private static void finite(double v) {
        if (!Double.isFinite(v)) {
            throw new NumberFormatException();
        }
    }

    private static void bool(String v) {
        String t = v.toLowerCase(Locale.ROOT);
        if (!t.equals("true") && !t.equals("false")) {
            throw new IllegalArgumentException();
        }
    }

    private static String shorten(String v) {
        String oneLine = v.replaceAll("\\s+", " ");
        return oneLine.length() <= 60 ? oneLine : oneLine.substring(0, 57) + "...";
    }
}
