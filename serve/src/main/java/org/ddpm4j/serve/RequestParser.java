package org.ddpm4j.serve;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ddpm4j.runtime.cli.SamplingOptions;
import org.ddpm4j.runtime.cli.SeedOption;
import org.ddpm4j.runtime.model.ClassLabels;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.sampling.SamplerOptions;
import org.ddpm4j.runtime.sampling.Samplers;
import org.ddpm4j.runtime.sampling.TimestepSpacing;

/**
 * Turns the JSON body of {@code POST /v1/images} into an {@link ImageRequest}, or an {@link ApiException}
 * (400) with one line naming the field, what was expected and what was found. The defaults are
 * {@code ddpm sample}'s: seed 0, one image, its sampler and steps, the sampler's spacing, eta 0, guidance 1,
 * and for a class-conditional model the class of each seed (s mod K) unless {@code class} names one.
 */
public final class RequestParser {

    /** The fields a request may hold, in the order the messages list them. */
    public static final List<String> FIELDS = List.of("seed", "count", "class", "guidance", "sampler", "steps",
            "spacing", "eta");

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final ModelInfo info;
    private final int maxImages;
    private final int maxSteps;

    /**
     * @param info      the served model
     * @param maxImages the most images one request may ask for
     * @param maxSteps  the most steps one request may ask for
     */
    public RequestParser(ModelInfo info, int maxImages, int maxSteps) {
        this.info = info;
        this.maxImages = maxImages;
        this.maxSteps = maxSteps;
    }

    /**
     * Parses and checks a request body.
     *
     * @throws ApiException (400) naming the field and the problem
     */
    public ImageRequest parse(byte[] body) {
        ObjectNode object = readObject(body);
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                throw ApiException.badRequest("unknown field '" + name + "': expected one of " + String.join(", ", FIELDS));
            }
        }
        long seed = longField(object, "seed", SeedOption.DEFAULT);
        int count = intField(object, "count", 1, 1, maxImages, "the server's limit of images per request");
        String sampler = stringField(object, "sampler", SamplingOptions.DEFAULT_SAMPLER).trim().toLowerCase(Locale.ROOT);
        if (sampler.equals("dpm++")) {
            sampler = "dpmpp";
        }
        if (!Samplers.NAMES.contains(sampler)) {
            throw ApiException.badRequest("field 'sampler': expected one of " + String.join(", ", Samplers.NAMES)
                    + ", found '" + sampler + "'");
        }
        int defaultSteps = SamplingOptions.defaultSteps(sampler);
        if (defaultSteps == 0 && !object.has("steps")) {
            if (info.schedule().timesteps() > maxSteps) {
                throw ApiException.badRequest("field 'steps': the " + sampler + " sampler defaults to all "
                        + info.schedule().timesteps() + " timesteps, above the server's limit of " + maxSteps
                        + " steps; give steps from 1 to " + maxSteps);
            }
            defaultSteps = info.schedule().timesteps();
        }
        int timesteps = info.schedule().timesteps();
        int steps = timesteps < maxSteps
                ? intField(object, "steps", defaultSteps, 1, timesteps, "the model's timesteps")
                : intField(object, "steps", defaultSteps, 1, maxSteps, "the server's limit of steps per request");
        String spacingId = stringField(object, "spacing", Samplers.defaultSpacing(sampler).id());
        TimestepSpacing spacing;
        try {
            spacing = TimestepSpacing.fromId(spacingId);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("field 'spacing': " + e.getMessage());
        }
        double eta = doubleField(object, "eta", SamplingOptions.DEFAULT_ETA);
        if (eta < 0 || eta > 1) {
            throw ApiException.badRequest("field 'eta': expected a number from 0 to 1, found " + eta);
        }
        try {
            Samplers.create(sampler, info.schedule(), steps, SamplerOptions.DEFAULTS.withEta(eta).withSpacing(spacing));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("fields 'sampler', 'steps', 'spacing', 'eta': " + e.getMessage());
        }
        long[] seeds = new long[count];
        for (int i = 0; i < count; i++) {
            seeds[i] = seed + i;
        }
        Double guidance = object.has("guidance") ? doubleField(object, "guidance", 1.0) : null;
        if (guidance != null && (guidance < 0 || guidance > 100)) {
            throw ApiException.badRequest("field 'guidance': expected a number from 0 to 100, found " + guidance);
        }
        JsonNode classNode = object.get("class");
        if (!info.conditional()) {
            if (classNode != null || guidance != null) {
                throw ApiException.badRequest("field '" + (classNode != null ? "class" : "guidance") + "': the model is"
                        + " unconditional (no ddpm.class_count) and takes no class and no guidance");
            }
            return new ImageRequest(seeds, null, false, new BatchKey(sampler, steps, spacing, eta, 1.0, false));
        }
        ClassLabels classes = ClassLabels.of(info);
        double w = guidance == null ? 1.0 : guidance;
        long[] labels;
        boolean fromSeed = classNode == null;
        if (fromSeed) {
            labels = classes.bySeed(seed, count);
        } else {
            long label = chooseClass(classes, classNode);
            if (label == classes.nullLabel() && w != 1.0) {
                throw ApiException.badRequest("field 'guidance': class 'none' draws the model without a class, where"
                        + " guidance changes nothing; expected 1 or no guidance, found " + w);
            }
            labels = new long[count];
            java.util.Arrays.fill(labels, label);
        }
        return new ImageRequest(seeds, labels, fromSeed, new BatchKey(sampler, steps, spacing, eta, w, true));
    }

    private static long chooseClass(ClassLabels classes, JsonNode node) {
        String value;
        if (node.isNull()) {
            value = ClassLabels.NONE;
        } else if (node.isIntegralNumber() || node.isTextual()) {
            value = node.asText();
        } else {
            throw ApiException.badRequest("field 'class': expected a class name, a label 0.." + (classes.count() - 1)
                    + " or 'none', found " + describe(node));
        }
        try {
            return classes.choose(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("field 'class': " + e.getMessage());
        }
    }

    private static ObjectNode readObject(byte[] body) {
        if (body == null || body.length == 0) {
            throw ApiException.badRequest("empty body: expected a JSON object such as {\"seed\": 7, \"count\": 4}");
        }
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JsonParseException e) {
            throw ApiException.badRequest("malformed JSON at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest("unreadable body: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("expected a JSON object such as {\"seed\": 7, \"count\": 4}, found "
                    + (node == null ? "nothing" : describe(node)));
        }
        return (ObjectNode) node;
    }

    private static long longField(ObjectNode o, String name, long fallback) {
        JsonNode n = o.get(name);
        if (n == null) {
            return fallback;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw ApiException.badRequest("field '" + name + "': expected an integer (64-bit), found " + describe(n));
        }
        return n.asLong();
    }

    private static int intField(ObjectNode o, String name, int fallback, int min, int max, String limit) {
        JsonNode n = o.get(name);
        if (n == null) {
            return fallback;
        }
        if (!n.isIntegralNumber()) {
            throw ApiException.badRequest("field '" + name + "': expected an integer from " + min + " to " + max
                    + ", found " + describe(n));
        }
        if (!n.canConvertToInt() || n.asInt() < min || n.asInt() > max) {
            throw ApiException.badRequest("field '" + name + "': expected an integer from " + min + " to " + max
                    + (max < Integer.MAX_VALUE ? " (" + limit + ")" : "") + ", found " + n.asText());
        }
        return n.asInt();
    }

    private static double doubleField(ObjectNode o, String name, double fallback) {
        JsonNode n = o.get(name);
        if (n == null) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw ApiException.badRequest("field '" + name + "': expected a number, found " + describe(n));
        }
        double v = n.asDouble();
        if (!Double.isFinite(v)) {
            throw ApiException.badRequest("field '" + name + "': expected a finite number, found " + n.asText());
        }
        return v;
    }

    private static String stringField(ObjectNode o, String name, String fallback) {
        JsonNode n = o.get(name);
        if (n == null) {
            return fallback;
        }
        if (!n.isTextual()) {
            throw ApiException.badRequest("field '" + name + "': expected a string, found " + describe(n));
        }
        return n.asText();
    }

    /** A JSON value for a message: {@code "abc" (a string)}, {@code 2.5 (a number)}, ... */
    static String describe(JsonNode n) {
        String kind = switch (n.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> n.isIntegralNumber() ? "an integer" : "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> n.getNodeType().name().toLowerCase(Locale.ROOT);
        };
        String text = n.toString();
        if (text.length() > 40) {
            text = text.substring(0, 37) + "...";
        }
        return n.isNull() ? "null" : text + " (" + kind + ")";
    }

    /** The defaults a request gets, for {@code GET /v1/model}. */
    public Map<String, Object> defaults() {
        String sampler = SamplingOptions.DEFAULT_SAMPLER;
        Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("seed", SeedOption.DEFAULT);
        d.put("count", 1);
        d.put("sampler", sampler);
        d.put("steps", SamplingOptions.defaultSteps(sampler));
        d.put("spacing", Samplers.defaultSpacing(sampler).id());
        d.put("eta", SamplingOptions.DEFAULT_ETA);
        if (info.conditional()) {
            d.put("class", "the class of each seed (seed mod " + info.classCount().getAsInt() + ")");
            d.put("guidance", 1.0);
        }
        return d;
    }
}
