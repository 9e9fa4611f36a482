package org.ddpm4j.fid;

import java.nio.file.Path;
import java.util.Locale;

/**
 * One sampler setting of a FID table, written {@code sampler-steps[@wGUIDANCE]}: {@code ddim-50},
 * {@code dpmpp-20@w2}, {@code ddim-50@w1.5}.
 *
 * @param sampler  sampler name ({@code ddpm}, {@code ddim}, {@code dpmpp}; checked against the model later)
 * @param steps    denoiser steps, positive
 * @param guidance classifier-free guidance scale w, or null when the setting gives none
 */
public record SamplerSetting(String sampler, int steps, Double guidance) {

    /** The accepted form, for messages. */
    public static final String FORM = "sampler-steps or sampler-steps@wGUIDANCE (ddim-50, dpmpp-20@w2)";

    /** Validates the values. */
    public SamplerSetting {
        if (sampler == null || sampler.isBlank()) {
            throw new IllegalArgumentException("sampler setting needs a sampler name: expected " + FORM);
        }
        if (steps <= 0) {
            throw new IllegalArgumentException("sampler steps must be positive, found " + steps);
        }
        if (guidance != null && !Double.isFinite(guidance)) {
            throw new IllegalArgumentException("guidance scale must be a finite number, found " + guidance);
        }
    }

    /**
     * Parses {@code sampler-steps[@wGUIDANCE]}.
     *
     * @throws IllegalArgumentException naming the expected form and what was found
     */
    public static SamplerSetting parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        String body = t;
        Double guidance = null;
        int at = t.indexOf('@');
        if (at >= 0) {
            body = t.substring(0, at);
            String w = t.substring(at + 1);
            if (!w.startsWith("w") || w.length() == 1) {
                throw bad(text);
            }
            try {
                guidance = Double.parseDouble(w.substring(1));
            } catch (NumberFormatException e) {
                throw bad(text);
            }
            if (!Double.isFinite(guidance) || w.substring(1).matches(".*[a-z].*")) {
                throw bad(text);
            }
        }
        int dash = body.lastIndexOf('-');
        if (dash <= 0 || !body.substring(dash + 1).matches("\\d{1,9}")) {
            throw bad(text);
        }
        int steps = Integer.parseInt(body.substring(dash + 1));
        if (steps == 0) {
            throw bad(text);
        }
        return new SamplerSetting(body.substring(0, dash), steps, guidance);
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("sampler settings look like " + FORM + ", found '" + text + "'");
    }

    /** The setting as written: {@code ddim-50}, {@code dpmpp-20@w2}. */
    public String name() {
        return sampler + "-" + steps + (guidance == null ? "" : "@w" + ImageSet.formatGuidance(guidance));
    }

    /** The model samples of this setting: {@code count} images from seed {@code seed}, every class in turn. */
    public ImageSet.ModelSamples samples(Path model, int count, long seed) {
        return new ImageSet.ModelSamples(model, sampler, steps, count, seed, 0.0, guidance, null);
    }
}
