package org.ddpm4j.exporter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.runtime.model.MetadataKeys;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.ddpm4j.runtime.sampling.Prediction;
import org.ddpm4j.trainer.model.UnetSpec;

/**
 * The contract metadata ({@code ddpm.*}) an exported file carries, apart from the probe. Contract keys
 * are the runtime's {@link MetadataKeys}; the exporter adds weights provenance and a fingerprint.
 */
public final class ExportMetadata {

    /** Contract version. */
    public static final String FORMAT = MetadataKeys.FORMAT;
    /** epsilon | sample | v. */
    public static final String PREDICTION = MetadataKeys.PREDICTION;
    /** linear | cosine | scaled_linear | sigmoid. */
    public static final String SCHEDULE = MetadataKeys.SCHEDULE;
    /** T. */
    public static final String TIMESTEPS = MetadataKeys.TIMESTEPS;
    /** beta_1. */
    public static final String BETA_START = MetadataKeys.BETA_START;
    /** beta_T. */
    public static final String BETA_END = MetadataKeys.BETA_END;
    /** "H,W". */
    public static final String IMAGE_SIZE = MetadataKeys.IMAGE_SIZE;
    /** C. */
    public static final String CHANNELS = MetadataKeys.CHANNELS;
    /** true | false. */
    public static final String CLIP_SAMPLE = MetadataKeys.CLIP_SAMPLE;
    /** The UNet spec as JSON. */
    public static final String UNET = MetadataKeys.UNET;
    /** Prefix of training provenance keys. */
    public static final String TRAIN_PREFIX = MetadataKeys.TRAIN_PREFIX;
    /** Which weights were exported: ema | raw. */
    public static final String WEIGHTS = "ddpm.weights";
    /** fp32 | fp16: how the weights are stored. */
    public static final String PRECISION = "ddpm.precision";
    /** sha256 (hex) of the learnable initializers' raw data, concatenated in canonical parameter order. */
    public static final String WEIGHTS_SHA256 = "ddpm.weights_sha256";
    /** Number of learnable values. */
    public static final String PARAMETER_COUNT = "ddpm.parameter_count";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ExportMetadata() {
    }

    /** The required contract keys plus {@code ddpm.unet} (and the class count of a conditional spec). */
    public static Map<String, String> contract(UnetSpec spec, NoiseSchedule schedule, boolean clipSample) {
        return contract(spec, schedule, clipSample, java.util.List.of());
    }

    /**
     * The required contract keys plus {@code ddpm.unet}; a class-conditional spec adds
     * {@code ddpm.class_count} and, when {@code classNames} is not empty, {@code ddpm.class_names}.
     *
     * @throws IllegalArgumentException when names are given for an unconditional spec, their number is
     *                                  not the class count, or a name is blank or holds a comma
     */
    public static Map<String, String> contract(UnetSpec spec, NoiseSchedule schedule, boolean clipSample,
            java.util.List<String> classNames) {
        return contract(spec, schedule, clipSample, classNames, Prediction.EPSILON);
    }

    /** As {@link #contract(UnetSpec, NoiseSchedule, boolean, java.util.List)}, for a model trained to predict {@code prediction}. */
    public static Map<String, String> contract(UnetSpec spec, NoiseSchedule schedule, boolean clipSample,
            java.util.List<String> classNames, Prediction prediction) {
        if (!spec.conditional() && !classNames.isEmpty()) {
            throw new IllegalArgumentException("class names " + classNames + " given for an unconditional model");
        }
        Map<String, String> m = new LinkedHashMap<>();
        m.put(FORMAT, MetadataKeys.FORMAT_VERSION);
        m.put(PREDICTION, prediction.id());
        m.put(SCHEDULE, schedule.type().id());
        m.put(TIMESTEPS, Integer.toString(schedule.timesteps()));
        if (schedule.type().usesBetaRange()) {
            m.put(BETA_START, plain(schedule.betaStart()));
            m.put(BETA_END, plain(schedule.betaEnd()));
        }
        m.put(IMAGE_SIZE, spec.imageSize() + "," + spec.imageSize());
        m.put(CHANNELS, Integer.toString(spec.inChannels()));
        m.put(CLIP_SAMPLE, Boolean.toString(clipSample));
        if (spec.conditional()) {
            ModelInfo info = ModelInfo.of(Prediction.EPSILON, schedule, spec.imageSize(), spec.imageSize(),
                    spec.inChannels(), clipSample).withClasses(spec.classCount(), classNames);
            m.put(MetadataKeys.CLASS_COUNT, Integer.toString(spec.classCount()));
            if (!classNames.isEmpty()) {
                m.put(MetadataKeys.CLASS_NAMES, info.metadata().get(MetadataKeys.CLASS_NAMES));
            }
        }
        m.put(UNET, specJson(spec));
        m.put(PARAMETER_COUNT, Long.toString(spec.parameterCount()));
        return m;
    }

    /** The spec as JSON (its record components). */
    public static String specJson(UnetSpec spec) {
        try {
            return JSON.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the UNet spec as JSON", e);
        }
    }

    /** Reads {@code ddpm.unet} JSON back into a spec. */
    public static UnetSpec specFromJson(String json) {
        try {
            return JSON.readValue(json, UnetSpec.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("ddpm.unet is not a valid UNet spec: " + e.getOriginalMessage(), e);
        }
    }

    /** A number without exponent or trailing noise: 1e-4 -> "0.0001". */
    public static String plain(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
