package org.ddpm4j.fid;

import java.nio.file.Path;
import java.util.Locale;

/**
 * One sampler setting of a FID table, written {@code sampler-steps[@wGUIDANCE|@none]}: {@code ddim-50},
 * {@code dpmpp-20@w2}, {@code ddim-50@w1.5}, or {@code dpmpp-20@none} for a class-conditional model's
 * null label (the model without a class; by default every class in turn).
 *
 * @param sampler  sampler name ({@code ddpm}, {@code ddim}, {@code dpmpp}; checked against the model later)
 * @param steps    denoiser steps, positive
 * @param guidance classifier-free guidance scale w, or null when the setting gives none
 * @param nullLabel whether the images are drawn for the null label ({@code @none})
 */
public record SamplerSetting(String sampler, int steps, Double guidance, boolean nullLabel) {

    /** The accepted form, for messages. */
    public static final String FORM = "sampler-steps, sampler-steps@wGUIDANCE or sampler-steps@none (ddim-50,"
            + " dpmpp-20@w2, dpmpp-20@none)";

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
        if (nullLabel && guidance != null) {
            throw new IllegalArgumentException("@none draws the model without a class, which takes no guidance scale");
        }
    }

    /** A setting that draws every class in turn. */
    public SamplerSetting(String sampler, int steps, Double guidance) {
        this(sampler, steps, guidance, false);
    }

    /**
     * Parses {@code sampler-steps[@wGUIDANCE|@none]}.
     *
     * @throws IllegalArgumentException naming the expected form and what was found
     */
    public static SamplerSetting parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        String body = t;
        Double guidance = null;
        boolean none = false;
        int at = t.indexOf('@');
        if (at >= 0 && t.substring(at + 1).equals("none")) {
            body = t.substring(0, at);
            none = true;
        } else if (at >= 0) {
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
        return new SamplerSetting(body.substring(0, dash), steps, guidance, none);
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("sampler settings look like " + FORM + ", found '" + text + "'");
    }

    /** The setting as written: {@code ddim-50}, {@code dpmpp-20@w2}, {@code dpmpp-20@none}. */
    public String name() {
        return sampler + "-" + steps + (nullLabel ? "@none" : guidance == null ? "" : "@w" + ImageSet.formatGuidance(guidance));
    }

    /** The model samples of this setting: {@code count} images from seed {@code seed}, every class in turn (or none). */
    public ImageSet.ModelSamples samples(Path model, int count, long seed) {
        return new ImageSet.ModelSamples(model, sampler, steps, count, seed, 0.0, guidance, nullLabel ? "none" : null);
    }
}
