package org.ddpm4j.trainer.config;

/**
 * The training recipe that {@code ddpm train} uses by default and {@link TrainingConfig#recipe} builds:
 * the one place its values are written. Each value is the best measured on this project (the shipped
 * Fashion-MNIST model's settings and docs/ABLATION.md), not a textbook default:
 *
 * <ul>
 *   <li>Adam at a peak rate of {@value #LEARNING_RATE} after {@value #WARMUP_STEPS} warm-up steps (the
 *       shipped model; 2e-4 with 500 warm-up steps was the old default);</li>
 *   <li>a cosine cool-down over the last {@value #COOL_DOWN_SHARE} of the run to {@value #LR_FLOOR} of
 *       the peak (warm-up, stable, decay): the shipped model's FID fell from 33.5 to 8.8 over such a
 *       cool-down once flips were off;</li>
 *   <li>EMA decay {@value #EMA_DECAY} (a horizon of about 1,000 steps, which a run of some
 *       thousand steps can use; 0.9999 averages over 10,000);</li>
 *   <li>dropout {@value #DROPOUT} (the shipped model; the DDPM paper used 0.1 on CIFAR-10);</li>
 *   <li>epsilon prediction with min-SNR-{@value #SNR_GAMMA} loss weighting (the ablation at equal
 *       CPU time);</li>
 *   <li>no random flips (Fashion-MNIST's garments face one way; {@code --flip} for data that does not);</li>
 *   <li>class-conditional training whenever the data has labels, with label dropout
 *       {@value #LABEL_DROPOUT}, so classifier-free guidance and the null label both work;</li>
 *   <li>batch {@value #BATCH}, gradient clipping at {@value #GRAD_CLIP}, L2 loss, linear betas.</li>
 * </ul>
 *
 * <p>The {@code *_TEXT} constants are the same values as text, for picocli's annotations.
 */
public final class Recipe {

    /** Images per step. */
    public static final int BATCH = 64;
    /** {@link #BATCH} as option text. */
    public static final String BATCH_TEXT = "64";
    /** Adam's peak learning rate. */
    public static final double LEARNING_RATE = 4e-4;
    /** {@link #LEARNING_RATE} as option text. */
    public static final String LEARNING_RATE_TEXT = "4e-4";
    /** Steps of linear warm-up. */
    public static final int WARMUP_STEPS = 200;
    /** {@link #WARMUP_STEPS} as option text. */
    public static final String WARMUP_TEXT = "200";
    /** EMA decay. */
    public static final double EMA_DECAY = 0.999;
    /** {@link #EMA_DECAY} as option text. */
    public static final String EMA_DECAY_TEXT = "0.999";
    /** Dropout inside residual blocks. */
    public static final double DROPOUT = 0.0;
    /** {@link #DROPOUT} as option text. */
    public static final String DROPOUT_TEXT = "0";
    /** The learning-rate schedule after warm-up. */
    public static final String LR_SCHEDULE = "cosine";
    /** Where the cosine ends, as a share of the peak. */
    public static final double LR_FLOOR = 0.1;
    /** {@link #LR_FLOOR} as option text. */
    public static final String LR_FLOOR_TEXT = "0.1";
    /** The share of the run's steps, at its end, over which the cosine falls. */
    public static final double COOL_DOWN_SHARE = 0.2;
    /** Loss weighting over timesteps. */
    public static final String LOSS_WEIGHTING = "min-snr";
    /** gamma of min-SNR weighting. */
    public static final double SNR_GAMMA = 5.0;
    /** {@link #SNR_GAMMA} as option text. */
    public static final String SNR_GAMMA_TEXT = "5";
    /** What the network predicts. */
    public static final String PREDICTION = "epsilon";
    /** Gradient clipping of the global norm. */
    public static final double GRAD_CLIP = 1.0;
    /** {@link #GRAD_CLIP} as option text. */
    public static final String GRAD_CLIP_TEXT = "1.0";
    /** Random left-right flips. */
    public static final boolean FLIP = false;
    /** {@link #FLIP} as option text. */
    public static final String FLIP_TEXT = "false";
    /** Class-conditional runs: the share of labels replaced by the null label. */
    public static final double LABEL_DROPOUT = 0.1;
    /** Total steps of a run (about 2.8 training hours of the fashion preset on 2 cores). */
    public static final long STEPS = 12_000;
    /** {@link #STEPS} as option text. */
    public static final String STEPS_TEXT = "12000";

    private Recipe() {
    }

    /** The step where the cool-down of a run of {@code steps} steps starts (after warm-up). */
    public static long coolDownFrom(long steps) {
        long from = steps - Math.round(steps * COOL_DOWN_SHARE);
        return Math.max(0, Math.min(steps - 1, from));
    }

    /** The recipe's learning-rate schedule for a run of {@code steps} steps. */
    public static LrSchedule lrSchedule(long steps) {
        return new LrSchedule(LR_SCHEDULE, LR_FLOOR, steps, coolDownFrom(steps));
    }

    /** The recipe's objective. */
    public static Objective objective() {
        return new Objective(PREDICTION, LOSS_WEIGHTING, SNR_GAMMA);
    }
}
