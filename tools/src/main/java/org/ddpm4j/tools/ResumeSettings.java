package org.ddpm4j.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.ddpm4j.trainer.config.TrainingConfig;
import org.ddpm4j.trainer.model.UnetSpec;

/**
 * How {@code ddpm train --resume} treats options typed next to it: a resumed run takes its model,
 * schedule and optimiser settings from the checkpoint, so an option that says something else is an
 * error naming both values, unless the user names it in {@code --override}. The model's shape and
 * noise schedule can never be overridden (the weights would not fit, or would mean something else).
 */
final class ResumeSettings {

    /** One option that a checkpoint also records. */
    private record Setting(String option, String key, String field, String label, boolean overridable) {
    }

    private static final List<Setting> SETTINGS = List.of(
            new Setting("--data", "data", "data", "data set", true),
            new Setting("--batch", "batch", "batch", "batch", true),
            new Setting("--lr", "lr", "learningRate", "learning rate", true),
            new Setting("--warmup", "warmup", "warmupSteps", "warm-up steps", true),
            new Setting("--loss", "loss", "loss", "loss", true),
            new Setting("--ema-decay", "ema-decay", "emaDecay", "EMA decay", true),
            new Setting("--grad-clip", "grad-clip", "gradClip", "gradient clip", true),
            new Setting("--seed", "seed", "seed", "seed", true),
            new Setting("--flip", "flip", "flip", "random flips", true),
            new Setting("--dropout", "dropout", "dropout", "dropout", true),
            new Setting("--label-dropout", "label-dropout", "labelDropout", "label dropout", true),
            new Setting("--loss-weighting", "loss-weighting", "objective.weighting", "loss weighting", true),
            new Setting("--snr-gamma", "snr-gamma", "objective.snrGamma", "min-SNR gamma", true),
            new Setting("--lr-schedule", "lr-schedule", "lrSchedule.kind", "learning-rate schedule", true),
            new Setting("--lr-floor", "lr-floor", "lrSchedule.floor", "learning-rate floor", true),
            new Setting("--lr-decay-from", "lr-decay-from", "lrSchedule.decayFrom", "learning-rate decay start", true),
            new Setting("--prediction", null, "objective.prediction", "prediction", false),
            new Setting("--preset", null, "preset", "preset", false),
            new Setting("--image-size", null, "imageSize", "image size", false),
            new Setting("--channels", null, "inChannels", "channels", false),
            new Setting("--schedule", null, "schedule", "noise schedule", false),
            new Setting("--timesteps", null, "timesteps", "timesteps", false),
            new Setting("--beta-start", null, "betaStart", "beta start", false),
            new Setting("--beta-end", null, "betaEnd", "beta end", false));

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SPEC_FIELDS = Set.of("dropout", "imageSize", "inChannels");

    /** The checkpoint's settings after the accepted overrides. */
    record Resolved(UnetSpec spec, TrainingConfig config, List<String> overridden) {
    }

    private ResumeSettings() {
    }

    /** The keys {@code --override} accepts. */
    static List<String> overridableKeys() {
        return SETTINGS.stream().filter(Setting::overridable).map(Setting::key).toList();
    }

    /**
     * Checks the typed options against the checkpoint.
     *
     * @param checkpointDir where the settings come from (for messages)
     * @param typed         whether an option was typed on the command line
     * @param given         the typed value of each option, as the checkpoint would record it
     *                      (keyed by option; JSON-compatible: String, Number, Boolean)
     * @param overrides     the keys given to {@code --override}
     * @param resumedStep   the checkpoint's step: where a schedule switched to cosine starts to fall,
     *                      unless {@code --lr-decay-from} is given
     * @param untilStep     {@code --steps}: where a schedule switched to cosine ends
     * @throws IllegalArgumentException for a contradiction that was not overridden, an override of
     *                                  an option that was not typed, or an unknown key
     */
    static Resolved resolve(Path checkpointDir, UnetSpec spec, TrainingConfig config, Predicate<String> typed,
            Map<String, Object> given, Set<String> overrides, long resumedStep, long untilStep) {
        Set<String> unknown = new LinkedHashSet<>(overrides);
        unknown.removeAll(overridableKeys());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("--override " + String.join(",", unknown) + ": expected one of "
                    + String.join(", ", overridableKeys()));
        }
        ObjectNode specNode = JSON.valueToTree(spec);
        ObjectNode configNode = JSON.valueToTree(config);
        List<String> overridden = new ArrayList<>();
        Map<String, Setting> byKey = new LinkedHashMap<>();
        for (Setting s : SETTINGS) {
            if (s.key() != null) {
                byKey.put(s.key(), s);
            }
            if (!typed.test(s.option())) {
                continue;
            }
            boolean inSpec = SPEC_FIELDS.contains(s.field());
            ObjectNode node = inSpec ? specNode : configNode;
            JsonNode recorded = JSON.valueToTree(component(inSpec ? spec : config, s.field()));
            String leaf = s.field();
            int dot = leaf.indexOf('.');
            if (dot > 0) {
                node = (ObjectNode) node.get(leaf.substring(0, dot));
                leaf = leaf.substring(dot + 1);
            }
            JsonNode wanted = JSON.valueToTree(given.get(s.option()));
            if (same(recorded, wanted)) {
                continue;
            }
            if (s.field().startsWith("lrSchedule.") && !s.field().equals("lrSchedule.kind")
                    && config.lrSchedule().kind().equals("constant")) {
                node.set(leaf, wanted); // a constant schedule has no floor or decay start to contradict
                continue;
            }
            String shown = s.option().equals("--flip") ? (wanted.asBoolean() ? "--flip" : "--no-flip")
                    : s.option() + " " + text(wanted);
            if (!s.overridable()) {
                throw new IllegalArgumentException(shown + " contradicts the checkpoint's " + s.label() + " "
                        + text(recorded) + " (" + checkpointDir + "): a resumed run keeps its model and noise"
                        + " schedule; drop " + s.option() + ", or start a new run in another --out");
            }
            if (!overrides.contains(s.key())) {
                throw new IllegalArgumentException(shown + " contradicts the checkpoint's " + s.label() + " "
                        + text(recorded) + " (" + checkpointDir + "); drop " + s.option() + " to keep "
                        + text(recorded) + ", or add --override " + s.key() + " to continue with " + text(wanted));
            }
            node.set(leaf, wanted);
            overridden.add(s.label() + " " + text(recorded) + " -> " + text(wanted));
        }
        for (String key : overrides) {
            if (!typed.test(byKey.get(key).option())) {
                throw new IllegalArgumentException("--override " + key + " needs the new value: add "
                        + (key.equals("flip") ? "--flip or --no-flip" : byKey.get(key).option() + " VALUE"));
            }
        }
        ObjectNode lr = (ObjectNode) configNode.get("lrSchedule");
        if (lr != null && "cosine".equals(lr.path("kind").asText()) && lr.path("decaySteps").asLong() <= 0) {
            // a constant schedule switched to cosine on resume: it cools down the rest of the run, from the
            // resumed step (or --lr-decay-from) to --lr-floor (or its default) at --steps
            lr.put("decaySteps", untilStep);
            if (!typed.test("--lr-floor")) {
                lr.set("floor", JSON.valueToTree(given.get("--lr-floor")));
            }
            if (!typed.test("--lr-decay-from") && resumedStep < untilStep) {
                lr.put("decayFrom", resumedStep);
            }
        }
        if (lr != null && "cosine".equals(lr.path("kind").asText()) && overrides.contains("lr-decay-from")
                && config.lrSchedule().kind().equals("cosine")) {
            // a new decay start for a cosine run: a new cool-down, from it to --steps
            lr.put("decaySteps", untilStep);
        }
        if (lr != null && typed.test("--lr-decay-from") && !"cosine".equals(lr.path("kind").asText())) {
            throw new IllegalArgumentException("--lr-decay-from needs a cosine schedule: the run's is "
                    + lr.path("kind").asText() + " (switch with --lr-schedule cosine --override lr-schedule)");
        }
        if (lr != null && "cosine".equals(lr.path("kind").asText()) && typed.test("--lr-decay-from")
                && lr.path("decayFrom").asLong() >= lr.path("decaySteps").asLong()) {
            throw new IllegalArgumentException("--lr-decay-from " + lr.path("decayFrom").asLong()
                    + " must be below the step where the cosine ends, " + lr.path("decaySteps").asLong()
                    + (typed.test("--lr-schedule") ? " (--steps)" : " (the checkpoint's schedule)"));
        }
        try {
            return new Resolved(JSON.treeToValue(specNode, UnetSpec.class),
                    JSON.treeToValue(configNode, TrainingConfig.class), overridden);
        } catch (JsonProcessingException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("an overridden setting is invalid: " + cause.getMessage(), e);
        }
    }

    /** A record component's value by name (the tree may leave out components at their default). */
    private static Object component(Record r, String name) {
        int dot = name.indexOf('.');
        if (dot > 0) {
            return component((Record) component(r, name.substring(0, dot)), name.substring(dot + 1));
        }
        try {
            return r.getClass().getMethod(name).invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no setting " + name + " in " + r.getClass().getSimpleName(), e);
        }
    }

    private static boolean same(JsonNode recorded, JsonNode wanted) {
        if (recorded == null || wanted == null) {
            return recorded == wanted;
        }
        if (recorded.isNumber() && wanted.isNumber()) {
            return recorded.doubleValue() == wanted.doubleValue();
        }
        return recorded.equals(wanted);
    }

    private static String text(JsonNode n) {
        return n == null ? "none" : n.isTextual() ? n.textValue() : n.toString();
    }
}
