package org.ddpm4j.runtime.model;

import static org.ddpm4j.runtime.model.MetadataKeys.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.ddpm4j.runtime.sampling.Prediction;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.ddpm4j.runtime.schedule.ScheduleType;

/**
 * What a model file says about itself through its {@code ddpm.*} metadata: the noise schedule it
 * was trained with, what it predicts, the image shape, and whether samplers clip x_0.
 *
 * @param prediction  {@code ddpm.prediction}
 * @param schedule    built from {@code ddpm.schedule}, {@code ddpm.timesteps}, {@code ddpm.beta_start}, {@code ddpm.beta_end}
 * @param height      H of {@code ddpm.image_size}
 * @param width       W of {@code ddpm.image_size}
 * @param channels    {@code ddpm.channels}
 * @param clipSample  {@code ddpm.clip_sample}
 * @param classCount  {@code ddpm.class_count} when present
 * @param metadata    every metadata entry of the file (including optional and foreign keys), sorted by key
 */
public record ModelInfo(Prediction prediction, NoiseSchedule schedule, int height, int width, int channels,
        boolean clipSample, OptionalInt classCount, Map<String, String> metadata) {

    public ModelInfo {
        if (height < 1 || width < 1 || channels < 1) {
            throw new IllegalArgumentException("image shape must be positive, found C=" + channels
                    + " H=" + height + " W=" + width);
        }
        metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
    }

    /** A model description without extra metadata (for writers: exporter, adopt, tests). */
    public static ModelInfo of(Prediction prediction, NoiseSchedule schedule, int height, int width, int channels,
            boolean clipSample) {
        return new ModelInfo(prediction, schedule, height, width, channels, clipSample, OptionalInt.empty(), Map.of());
    }

    /**
     * Parses the metadata of a file.
     *
     * @param metadata the file's {@code metadata_props}
     * @param source   what to call the file in messages (its name)
     * @throws ModelContractException naming the missing or malformed key, what was expected, and how to add it
     */
    public static ModelInfo fromMetadata(Map<String, String> metadata, String source) {
        Reader r = new Reader(metadata, source);
        String format = r.required(FORMAT, "\"" + FORMAT_VERSION + "\"");
        if (!FORMAT_VERSION.equals(format.trim())) {
            throw new ModelContractException(source + ": " + FORMAT + " is '" + format + "', this runtime reads format "
                    + FORMAT_VERSION);
        }
        Prediction prediction = r.parse(PREDICTION, "epsilon, sample or v", Prediction::fromId);
        ScheduleType type = r.parse(SCHEDULE, "linear, cosine, scaled_linear or sigmoid", ScheduleType::fromId);
        int timesteps = r.positiveInt(TIMESTEPS);
        NoiseSchedule schedule;
        if (type.usesBetaRange()) {
            double start = r.positiveDouble(BETA_START);
            double end = r.positiveDouble(BETA_END);
            schedule = r.parse(BETA_END, "a beta range 0 < beta_start <= beta_end < 1",
                    v -> NoiseSchedule.of(type, timesteps, start, end));
        } else {
            schedule = NoiseSchedule.of(type, timesteps, Double.NaN, Double.NaN);
        }
        int[] hw = r.parse(IMAGE_SIZE, "\"H,W\" (or \"N\" for N x N)", ModelInfo::parseImageSize);
        int channels = r.positiveInt(CHANNELS);
        boolean clip = r.parse(CLIP_SAMPLE, "true or false", v -> {
            String b = v.trim().toLowerCase(Locale.ROOT);
            if (!b.equals("true") && !b.equals("false")) {
                throw new IllegalArgumentException("not a boolean");
            }
            return Boolean.parseBoolean(b);
        });
        OptionalInt classes = metadata.containsKey(CLASS_COUNT) ? OptionalInt.of(r.positiveInt(CLASS_COUNT))
                : OptionalInt.empty();
        if (metadata.containsKey(CLASS_NAMES)) {
            if (classes.isEmpty()) {
                throw new ModelContractException(source + ": metadata key '" + CLASS_NAMES + "' is present but '"
                        + CLASS_COUNT + "' is missing; add it with: ddpm adopt --class-count K");
            }
            int names = splitNames(metadata.get(CLASS_NAMES)).size();
            if (names != classes.getAsInt()) {
                throw new ModelContractException(source + ": metadata key '" + CLASS_NAMES + "' names " + names
                        + " classes, expected " + classes.getAsInt() + " (" + CLASS_COUNT + ")");
            }
        }
        return new ModelInfo(prediction, schedule, hw[0], hw[1], channels, clip, classes, metadata);
    }

    /**
     * This description as a class-conditional model of {@code count} classes named {@code names}
     * (empty for unnamed classes), for writers.
     *
     * @throws IllegalArgumentException when the count is not positive or the names do not match it
     */
    public ModelInfo withClasses(int count, List<String> names) {
        if (count < 1) {
            throw new IllegalArgumentException("class count must be positive, found " + count);
        }
        Map<String, String> m = new TreeMap<>(metadata);
        m.remove(CLASS_NAMES);
        if (!names.isEmpty()) {
            if (names.size() != count) {
                throw new IllegalArgumentException(names.size() + " class names given for " + count + " classes: "
                        + names);
            }
            for (String n : names) {
                if (n.isBlank() || n.contains(",")) {
                    throw new IllegalArgumentException("class names must be non-empty and hold no comma, found '"
                            + n + "'");
                }
            }
            m.put(CLASS_NAMES, String.join(",", names));
        }
        return new ModelInfo(prediction, schedule, height, width, channels, clipSample, OptionalInt.of(count), m);
    }

    /** Whether the model is class-conditional ({@code ddpm.class_count} present). */
    public boolean conditional() {
        return classCount.isPresent();
    }

    /** The class names of {@code ddpm.class_names} in label order; empty when absent. */
    public List<String> classNames() {
        String v = metadata.get(CLASS_NAMES);
        return v == null ? List.of() : splitNames(v);
    }

    private static List<String> splitNames(String value) {
        List<String> out = new ArrayList<>();
        for (String n : value.split(",", -1)) {
            out.add(n.trim());
        }
        return List.copyOf(out);
    }

    /** Parses {@code "H,W"}, {@code "HxW"}, {@code "[H, W]"} or {@code "N"}. */
    static int[] parseImageSize(String value) {
        String v = value.trim().replaceAll("[\\[\\]()\\s]", "");
        String[] parts = v.split("[,x]");
        if (parts.length == 1 || parts.length == 2) {
            int h = Integer.parseInt(parts[0]);
            int w = parts.length == 2 ? Integer.parseInt(parts[1]) : h;
            if (h > 0 && w > 0) {
                return new int[] {h, w};
            }
        }
        throw new IllegalArgumentException("not an image size");
    }

    /**
     * The required {@code ddpm.*} entries describing this model (format, prediction, schedule,
     * timesteps, beta range, image size as "H,W", channels, clip_sample, class_count, class_names), in a stable order.
     */
    public Map<String, String> contractMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(FORMAT, FORMAT_VERSION);
        m.put(PREDICTION, prediction.id());
        m.put(SCHEDULE, schedule.type().id());
        m.put(TIMESTEPS, Integer.toString(schedule.timesteps()));
        if (schedule.type().usesBetaRange()) {
            m.put(BETA_START, Double.toString(schedule.betaStart()));
            m.put(BETA_END, Double.toString(schedule.betaEnd()));
        }
        m.put(IMAGE_SIZE, height + "," + width);
        m.put(CHANNELS, Integer.toString(channels));
        m.put(CLIP_SAMPLE, Boolean.toString(clipSample));
        classCount.ifPresent(c -> m.put(CLASS_COUNT, Integer.toString(c)));
        if (classCount.isPresent() && metadata.containsKey(CLASS_NAMES)) {
            m.put(CLASS_NAMES, metadata.get(CLASS_NAMES));
        }
        return m;
    }

    /** Values per image, C*H*W. */
    public int imageValues() {
        return channels * height * width;
    }

    /** A one-line summary, e.g. {@code epsilon, linear(T=1000, beta 1.0E-4..0.02), 1x28x28, clip}. */
    public String summary() {
        return prediction.id() + ", " + schedule + ", " + channels + "x" + height + "x" + width
                + (clipSample ? ", clip" : ", no clip");
    }

    /** Reads keys and turns a bad value into a message naming the key. */
    private record Reader(Map<String, String> metadata, String source) {

        String required(String key, String expected) {
            String v = metadata.get(key);
            if (v == null || v.isBlank()) {
                throw new ModelContractException(source + ": metadata key '" + key + "' is missing (expected "
                        + expected + "); " + ADOPT_HINT);
            }
            return v;
        }

        <T> T parse(String key, String expected, java.util.function.Function<String, T> parser) {
            String v = required(key, expected);
            try {
                return parser.apply(v);
            } catch (RuntimeException e) {
                throw new ModelContractException(source + ": metadata key '" + key + "' is '" + v + "', expected "
                        + expected);
            }
        }

        int positiveInt(String key) {
            return parse(key, "a positive integer", v -> {
                int i = Integer.parseInt(v.trim());
                if (i < 1) {
                    throw new IllegalArgumentException();
                }
                return i;
            });
        }

        double positiveDouble(String key) {
            return parse(key, "a number in (0, 1)", v -> {
                double d = Double.parseDouble(v.trim());
                if (!(d > 0 && d < 1)) {
                    throw new IllegalArgumentException();
                }
                return d;
            });
        }
    }
}
