package org.ddpm4j.exporter.diffusers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import org.ddpm4j.runtime.sampling.Prediction;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.ddpm4j.runtime.schedule.ScheduleType;
import org.ddpm4j.trainer.model.DiffusersUnet;

/**
 * A model's noise schedule, prediction type and clipping as diffusers' {@code DDPMScheduler} config
 * ({@code scheduler/scheduler_config.json}), and back. ddpm4j's schedules are diffusers' beta
 * schedules: {@code linear}, {@code scaled_linear}, {@code sigmoid}, and {@code cosine} =
 * {@code squaredcos_cap_v2} (s = 0.008, betas capped at 0.999). A setting ddpm4j's samplers cannot
 * reproduce exactly (thresholding, a clip range other than 1, explicit {@code trained_betas}, zero-SNR
 * rescaling, a learned variance) is refused with one line naming the key and its value.
 */
public final class DiffusersScheduler {

    /** What a model's {@code ddpm.*} metadata takes from a scheduler config. */
    public record Settings(NoiseSchedule schedule, Prediction prediction, boolean clipSample) {
    }

    private DiffusersScheduler() {
    }

    /** diffusers' beta schedule name for a ddpm4j schedule type. */
    static String betaSchedule(ScheduleType type) {
        return switch (type) {
            case LINEAR -> "linear";
            case SCALED_LINEAR -> "scaled_linear";
            case SIGMOID -> "sigmoid";
            case COSINE -> "squaredcos_cap_v2";
        };
    }

    /** diffusers' prediction type for a ddpm4j prediction. */
    static String predictionType(Prediction p) {
        return p == Prediction.V ? "v_prediction" : p.id();
    }

    /** The {@code DDPMScheduler} config of a schedule, prediction and clipping (DDPM's fixed_small variance). */
    public static ObjectNode config(NoiseSchedule schedule, Prediction prediction, boolean clipSample) {
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        c.put("_class_name", "DDPMScheduler");
        c.put("_diffusers_version", DiffusersUnet.DIFFUSERS_VERSION);
        c.put("num_train_timesteps", schedule.timesteps());
        if (schedule.type().usesBetaRange()) {
            c.put("beta_start", schedule.betaStart());
            c.put("beta_end", schedule.betaEnd());
        } else {
            // unused by squaredcos_cap_v2, written with diffusers' defaults so the file is complete
            c.put("beta_start", 0.0001);
            c.put("beta_end", 0.02);
        }
        c.put("beta_schedule", betaSchedule(schedule.type()));
        c.putNull("trained_betas");
        c.put("variance_type", "fixed_small");
        c.put("clip_sample", clipSample);
        c.put("prediction_type", predictionType(prediction));
        c.put("thresholding", false);
        c.put("dynamic_thresholding_ratio", 0.995);
        c.put("clip_sample_range", 1.0);
        c.put("sample_max_value", 1.0);
        c.put("timestep_spacing", "leading");
        c.put("steps_offset", 0);
        c.put("rescale_betas_zero_snr", false);
        return c;
    }

    private static final Set<String> KNOWN_KEYS = Set.of("num_train_timesteps", "beta_start", "beta_end",
            "beta_schedule", "trained_betas", "variance_type", "clip_sample", "prediction_type", "thresholding",
            "dynamic_thresholding_ratio", "clip_sample_range", "sample_max_value", "timestep_spacing", "steps_offset",
            "rescale_betas_zero_snr", "set_alpha_to_one", "skip_prk_steps", "eta", "solver_order",
            "algorithm_type", "solver_type", "lower_order_final", "use_karras_sigmas", "lambda_min_clipped",
            "euler_at_final", "final_sigmas_type", "use_lu_lambdas", "timestep_type",
            "interpolation_type", "use_exponential_sigmas", "use_beta_sigmas", "sigma_min", "sigma_max");

    /**
     * The settings of a scheduler config (DDPM, DDIM, DPM-Solver and the other schedulers of diffusers share
     * these keys). Keys absent take {@code DDPMScheduler}'s defaults (linear 1e-4..0.02, T = 1000,
     * epsilon, clip_sample true). Sampling-time keys ({@code timestep_spacing}, {@code steps_offset},
     * solver settings) are the sampler's business and do not enter the model's metadata.
     *
     * @throws IllegalArgumentException one line naming the first key and value ddpm4j cannot reproduce exactly
     */
    public static Settings settings(JsonNode c) {
        if (c == null || !c.isObject()) {
            throw new IllegalArgumentException("a scheduler config must be a JSON object");
        }
        for (var it = c.fieldNames(); it.hasNext();) {
            String key = it.next();
            if (!key.startsWith("_") && !KNOWN_KEYS.contains(key)) {
                throw unsupported(key, c.get(key), "no such key in diffusers' schedulers that ddpm4j knows");
            }
        }
        JsonNode trained = c.get("trained_betas");
        if (trained != null && !trained.isNull()) {
            throw unsupported("trained_betas", abbreviated(trained), "null (ddpm4j builds betas from beta_schedule)");
        }
        if (c.path("thresholding").asBoolean(false)) {
            throw unsupported("thresholding", c.get("thresholding"), "false");
        }
        if (c.path("rescale_betas_zero_snr").asBoolean(false)) {
            throw unsupported("rescale_betas_zero_snr", c.get("rescale_betas_zero_snr"), "false");
        }
        String variance = c.path("variance_type").asText("fixed_small");
        if (c.has("variance_type") && !c.get("variance_type").isNull()
                && !variance.equals("fixed_small") && !variance.equals("fixed_large")
                && !variance.equals("fixed_small_log") && !variance.equals("fixed_large_log")) {
            throw unsupported("variance_type", c.get("variance_type"), "fixed_small or fixed_large (a model that"
                    + " learns its variance has twice the channels, which ddpm4j's samplers do not use)");
        }
        boolean clip = c.path("clip_sample").asBoolean(true);
        if (clip && c.has("clip_sample_range") && c.get("clip_sample_range").asDouble() != 1.0) {
            throw unsupported("clip_sample_range", c.get("clip_sample_range"), "1.0 (ddpm4j clips x_0 to [-1, 1])");
        }
        int timesteps = c.path("num_train_timesteps").asInt(1000);
        double start = c.path("beta_start").asDouble(0.0001);
        double end = c.path("beta_end").asDouble(0.02);
        String betaSchedule = c.path("beta_schedule").asText("linear");
        NoiseSchedule schedule = switch (betaSchedule) {
            case "linear" -> NoiseSchedule.linear(timesteps, start, end);
            case "scaled_linear" -> NoiseSchedule.scaledLinear(timesteps, start, end);
            case "sigmoid" -> NoiseSchedule.sigmoid(timesteps, start, end);
            case "squaredcos_cap_v2" -> NoiseSchedule.cosine(timesteps);
            default -> throw unsupported("beta_schedule", c.get("beta_schedule"),
                    "linear, scaled_linear, sigmoid or squaredcos_cap_v2");
        };
        String type = c.path("prediction_type").asText("epsilon");
        Prediction prediction = switch (type) {
            case "epsilon" -> Prediction.EPSILON;
            case "sample" -> Prediction.SAMPLE;
            case "v_prediction" -> Prediction.V;
            default -> throw unsupported("prediction_type", c.get("prediction_type"), "epsilon, sample or v_prediction");
        };
        return new Settings(schedule, prediction, clip);
    }

    private static JsonNode abbreviated(JsonNode v) {
        return v.isArray() && v.size() > 4
                ? JsonNodeFactory.instance.textNode("[" + v.get(0) + ", " + v.get(1) + ", ... " + v.size() + " values]")
                : v;
    }

    private static IllegalArgumentException unsupported(String key, JsonNode value, String expected) {
        return new IllegalArgumentException("unsupported scheduler config: " + key + " = " + value
                + ", ddpm4j reproduces exactly only " + expected);
    }
}
