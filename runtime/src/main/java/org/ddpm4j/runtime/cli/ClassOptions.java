package org.ddpm4j.runtime.cli;

import org.ddpm4j.runtime.model.ClassLabels;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.pipeline.GenerationRequest;
import picocli.CommandLine.Option;

/**
 * {@code --class} and {@code --guidance}: which class a class-conditional model draws, and the
 * classifier-free guidance scale. Without {@code --class}, the image of seed s is drawn for class
 * {@code s mod K} (as {@code ddpm fid} draws a model's set), so every class appears and a seed is the
 * same image in any run; {@code none} draws the null label, the model without a class. A picocli mixin.
 */
public final class ClassOptions {

    /** The {@code --class} value that draws {@code -n} images of every class ({@code ddpm sample}). */
    public static final String ALL = "all";

    @Option(names = "--class", paramLabel = "NAME|LABEL",
            description = "Class-conditional models: the class to draw, by name or label 0..K-1; 'none' for the"
                    + " model without a class (the null label); 'all' (ddpm sample) for -n images of every class, one"
                    + " grid row each. Default: the image of seed s is drawn for class s mod K.")
    String value;

    @Option(names = "--guidance", paramLabel = "W",
            description = "Classifier-free guidance scale of a class-conditional model, from 0 (the model without a"
                    + " class) to 30 (1 = the conditional model alone; default 1).")
    Double guidance;

    /** {@code --class}, or null when not given. */
    public String value() {
        return value;
    }

    /** {@code --guidance}, or null when not given. */
    public Double guidance() {
        return guidance;
    }

    /**
     * Refuses {@code --class all} where images are not drawn in one row per class (all but {@code ddpm sample}).
     *
     * @throws IllegalArgumentException naming the choices that are taken
     */
    public static void requireNotAll(String choice) {
        if (choice != null && choice.trim().equalsIgnoreCase(ALL)) {
            throw new IllegalArgumentException("--class " + ALL + " (one grid row per class) is ddpm sample's: name one"
                    + " class, '" + ClassLabels.NONE + "', or leave --class out for the class of each seed (s mod K)");
        }
    }

    /**
     * Sets the class labels and guidance of a request for the images of seeds {@code firstSeed ..
     * firstSeed + count - 1}: for a class-conditional
     * model, the class {@code choice} names ({@link ClassLabels#choose}) or, when it is null, each seed's
     * class {@link ClassLabels#bySeed}; guidance {@code guidance} (1 when null). An unconditional model takes
     * neither.
     *
     * @param model a name of the model for messages
     * @return whether the classes came from the seeds (no class named)
     * @throws IllegalArgumentException for a class or guidance the model does not take, or guidance on the
     *                                  null label
     */
    public static boolean apply(GenerationRequest.Builder request, ModelInfo info, String model, String choice,
            Double guidance, long firstSeed, int count) {
        if (!info.conditional()) {
            if (choice != null || guidance != null) {
                throw new IllegalArgumentException(model + " is an unconditional model (no ddpm.class_count):"
                        + " --class and --guidance need a class-conditional one");
            }
            return false;
        }
        requireNotAll(choice);
        ClassLabels classes = ClassLabels.of(info);
        double w = guidance == null ? 1.0 : guidance;
        if (choice == null) {
            request.optClassLabels(classes.bySeed(firstSeed, count)).optGuidance(w);
            return true;
        }
        long label = classes.choose(choice);
        if (label == classes.nullLabel() && w != 1.0) {
            throw new IllegalArgumentException("--guidance " + w + " needs a class: --class " + ClassLabels.NONE
                    + " draws the model without one, where guidance changes nothing");
        }
        request.optClassLabels(label).optGuidance(w);
        return false;
    }
}
