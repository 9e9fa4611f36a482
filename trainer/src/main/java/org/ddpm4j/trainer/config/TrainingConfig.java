package org.ddpm4j.trainer.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.ddpm4j.runtime.schedule.ScheduleType;

/**
 * Everything that decides what a training run computes, recorded in every checkpoint so that a
 * resumed run continues exactly.
 *
 * @param data         the data set as given ({@code fashion-mnist} or a path)
 * @param preset       the UNet preset the spec came from (informational; the spec is stored too)
 * @param batch        images per step
 * @param learningRate Adam's peak learning rate
 * @param warmupSteps  steps of linear learning-rate warm-up from 0 (0 = none)
 * @param beta1        Adam beta1
 * @param beta2        Adam beta2
 * @param adamEps      Adam epsilon
 * @param gradClip     maximum global gradient norm (0 = no clipping)
 * @param loss         the loss on epsilon
 * @param emaDecay     EMA decay; the decay used at step s is min(emaDecay, (1+s)/(10+s))
 * @param schedule     the noise schedule's type id ({@code linear}, {@code cosine}, ...)
 * @param timesteps    T
 * @param betaStart    beta_1 of beta-range schedules
 * @param betaEnd      beta_T of beta-range schedules
 * @param seed         the seed of every random draw (weights, batches, timesteps, noise, flips, dropout)
 * @param flip         random horizontal flips
 * @param labelDropout class-conditional runs: the share of labels replaced by the null label, so one
 *                     network also learns the unconditional model for classifier-free guidance
 * @param classNames   class-conditional runs: the class names in label order (empty otherwise)
 * @param objective    the prediction target and loss weighting ({@link Objective#DEFAULT} when absent)
 * @param lrSchedule   the learning rate after warm-up ({@link LrSchedule#CONSTANT} when absent)
 */
public record TrainingConfig(
        String data,
        String preset,
        int batch,
        double learningRate,
        int warmupSteps,
        double beta1,
        double beta2,
        double adamEps,
        double gradClip,
        LossType loss,
        double emaDecay,
        String schedule,
        int timesteps,
        double betaStart,
        double betaEnd,
        long seed,
        boolean flip,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) double labelDropout,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> classNames,
        Objective objective,
        LrSchedule lrSchedule) {

    public TrainingConfig {
        require(data != null && !data.isBlank(), "data must be named");
        require(batch > 0, "batch must be positive, found " + batch);
        require(learningRate > 0 && Double.isFinite(learningRate), "learning rate must be positive, found " + learningRate);
        require(warmupSteps >= 0, "warm-up steps must be >= 0, found " + warmupSteps);
        require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "Adam betas must be in [0, 1), found "
                + beta1 + ", " + beta2);
        require(adamEps > 0, "Adam epsilon must be positive, found " + adamEps);
        require(gradClip >= 0, "gradient clip must be >= 0, found " + gradClip);
        require(loss != null, "loss must be named");
        require(emaDecay >= 0 && emaDecay < 1, "EMA decay must be in [0, 1), found " + emaDecay);
        ScheduleType.fromId(schedule);
        require(timesteps > 0, "timesteps must be positive, found " + timesteps);
        require(labelDropout >= 0 && labelDropout < 1, "label dropout must be in [0, 1), found " + labelDropout);
        classNames = classNames == null ? List.of() : List.copyOf(classNames);
        objective = objective == null ? Objective.DEFAULT : objective;
        lrSchedule = lrSchedule == null ? LrSchedule.CONSTANT : lrSchedule;
    }

    /** A configuration with the default objective (epsilon, unweighted) and a constant learning rate. */
    public TrainingConfig(String data, String preset, int batch, double learningRate, int warmupSteps, double beta1,
            double beta2, double adamEps, double gradClip, LossType loss, double emaDecay, String schedule,
            int timesteps, double betaStart, double betaEnd, long seed, boolean flip, double labelDropout,
            List<String> classNames) {
        this(data, preset, batch, learningRate, warmupSteps, beta1, beta2, adamEps, gradClip, loss, emaDecay, schedule,
                timesteps, betaStart, betaEnd, seed, flip, labelDropout, classNames, null, null);
    }

    /** An unconditional run's configuration. */
    public TrainingConfig(String data, String preset, int batch, double learningRate, int warmupSteps, double beta1,
            double beta2, double adamEps, double gradClip, LossType loss, double emaDecay, String schedule,
            int timesteps, double betaStart, double betaEnd, long seed, boolean flip) {
        this(data, preset, batch, learningRate, warmupSteps, beta1, beta2, adamEps, gradClip, loss, emaDecay, schedule,
                timesteps, betaStart, betaEnd, seed, flip, 0.0, List.of());
    }

    /** A copy for a class-conditional run over {@code names} with label dropout {@code dropout}. */
    public TrainingConfig withClasses(List<String> names, double dropout) {
        return new TrainingConfig(data, preset, batch, learningRate, warmupSteps, beta1, beta2, adamEps,
                gradClip, loss, emaDecay, schedule, timesteps, betaStart, betaEnd, seed, flip, dropout, names,
                objective, lrSchedule);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * {@code ddpm train}'s defaults for a run of {@code steps} steps: the {@link Recipe} (Adam 4e-4 after
     * 200 warm-up steps, a cosine cool-down over the last fifth of the run, EMA 0.999, min-SNR on epsilon,
     * no flips), linear betas 1e-4..0.02, T 1000, seed 0. Class-conditional runs add their classes with
     * {@link #withClasses} and {@link Recipe#LABEL_DROPOUT}.
     */
    public static TrainingConfig recipe(String data, String preset, long steps) {
        return new TrainingConfig(data, preset, Recipe.BATCH, Recipe.LEARNING_RATE, Recipe.WARMUP_STEPS, 0.9, 0.999,
                1e-8, Recipe.GRAD_CLIP, LossType.L2, Recipe.EMA_DECAY, ScheduleType.LINEAR.id(),
                NoiseSchedule.DEFAULT_TIMESTEPS, NoiseSchedule.DEFAULT_BETA_START, NoiseSchedule.DEFAULT_BETA_END, 0L,
                Recipe.FLIP, 0.0, List.of(), Recipe.objective(), Recipe.lrSchedule(steps));
    }

    /**
     * A plain textbook configuration, not the recipe: batch 64, Adam 2e-4 (0.9, 0.999) after 500 warm-up
     * steps at a constant rate, unweighted L2 on epsilon, EMA 0.9999, random flips, linear 1e-4..0.02,
     * T 1000. Tests and benchmarks use it where the recipe's values do not matter.
     */
    public static TrainingConfig plain(String data, String preset) {
        return new TrainingConfig(data, preset, 64, 2e-4, 500, 0.9, 0.999, 1e-8, 1.0, LossType.L2, 0.9999,
                ScheduleType.LINEAR.id(), NoiseSchedule.DEFAULT_TIMESTEPS, NoiseSchedule.DEFAULT_BETA_START,
                NoiseSchedule.DEFAULT_BETA_END, 0L, true);
    }

    /** The noise schedule this configuration trains with. */
    @JsonIgnore
    public NoiseSchedule noiseSchedule() {
        return NoiseSchedule.of(ScheduleType.fromId(schedule), timesteps, betaStart, betaEnd);
    }

    /** The learning rate of step {@code s} (0-based): linear warm-up, then the {@link LrSchedule}. */
    public double learningRateAt(long s) {
        double warm = warmupSteps <= 0 ? learningRate : learningRate * Math.min(1.0, (s + 1.0) / warmupSteps);
        return lrSchedule.kind().equals("constant") ? warm : warm * lrSchedule.factorAt(s, warmupSteps);
    }

    /** The EMA decay applied after step {@code s} (0-based). */
    public double emaDecayAt(long s) {
        return Math.min(emaDecay, (1.0 + s) / (10.0 + s));
    }

    /** A copy with another data set (used when a resumed run reads its data from a new place). */
    public TrainingConfig withData(String newData) {
        return new TrainingConfig(newData, preset, batch, learningRate, warmupSteps, beta1, beta2, adamEps,
                gradClip, loss, emaDecay, schedule, timesteps, betaStart, betaEnd, seed, flip, labelDropout,
                classNames, objective, lrSchedule);
    }

    /** A copy with another seed. */
    public TrainingConfig withSeed(long newSeed) {
        return new TrainingConfig(data, preset, batch, learningRate, warmupSteps, beta1, beta2, adamEps,
                gradClip, loss, emaDecay, schedule, timesteps, betaStart, betaEnd, newSeed, flip, labelDropout,
                classNames, objective, lrSchedule);
    }

    /** A copy with another training objective and learning-rate schedule. */
    public TrainingConfig withRecipe(Objective newObjective, LrSchedule newSchedule) {
        return new TrainingConfig(data, preset, batch, learningRate, warmupSteps, beta1, beta2, adamEps,
                gradClip, loss, emaDecay, schedule, timesteps, betaStart, betaEnd, seed, flip, labelDropout,
                classNames, newObjective, newSchedule);
    }
}
