package org.ddpm4j.trainer.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import org.ddpm4j.trainer.checkpoint.CheckpointStore;

/**
 * The training loop around a {@link Trainer}: steps until a target, checkpoints, sample grids and
 * the loss history along the way, and a clear stop when the loss diverges.
 */
public final class TrainingRun {

    /** The samples folder inside a run folder. */
    public static final String SAMPLES = "samples";

    /**
     * How the loop saves its work.
     *
     * @param runDir          the run folder
     * @param untilStep       the total number of steps to reach
     * @param checkpointEvery steps between checkpoints (a final one is always written)
     * @param sampleEvery     steps between sample grids (0 = only at the end; a final grid is always drawn)
     * @param keep            checkpoints kept
     * @param sampleCount     images per grid
     * @param sampleSteps     DDIM steps per grid
     * @param sampleSeed      first seed of the grid's images
     */
    public record Options(Path runDir, long untilStep, int checkpointEvery, int sampleEvery, int keep,
            int sampleCount, int sampleSteps, long sampleSeed) {
        public Options {
            if (checkpointEvery < 1) {
                throw new IllegalArgumentException("--checkpoint-every must be at least 1, found " + checkpointEvery);
            }
            if (sampleEvery < 0) {
                throw new IllegalArgumentException("--sample-every must be >= 0, found " + sampleEvery);
            }
            if (sampleCount < 0 || sampleCount > 256) {
                throw new IllegalArgumentException("--sample-count must be in 0..256, found " + sampleCount);
            }
            if (sampleSteps < 1) {
                throw new IllegalArgumentException("--sample-steps must be at least 1, found " + sampleSteps);
            }
        }
    }

    /**
     * Scoring between steps ({@code ddpm train --eval-every}).
     *
     * @param every     steps between evaluations (0 = none); the last step of a run is always scored
     * @param evaluator what scores the model
     */
    public record Evaluation(int every, TrainingEvaluator evaluator) {
        /** No evaluation. */
        public static final Evaluation NONE = new Evaluation(0, null);

        public Evaluation {
            if (every < 0) {
                throw new IllegalArgumentException("--eval-every must be >= 0, found " + every);
            }
            if (every > 0 && evaluator == null) {
                throw new IllegalArgumentException("an evaluation every " + every + " steps needs an evaluator");
            }
        }
    }

    private TrainingRun() {
    }

    /**
     * Trains until {@code options.untilStep()} and returns the last checkpoint folder.
     *
     * @throws TrainingDivergedException when the loss becomes NaN or infinite (message names the
     *                                   step and the last good checkpoint)
     */
    public static Path run(Trainer trainer, Options options, TrainingListener listener) throws IOException {
        return run(trainer, options, listener, () -> false);
    }

    /**
     * As {@link #run(Trainer, Options, TrainingListener)}, stopping early when {@code stop} says so:
     * it is asked after every step, and once it answers true the loop writes a checkpoint of the step
     * just done (unless that step was already saved), the loss history, and returns that checkpoint
     * with {@code trainer.step()} short of the target. A run stopped this way resumes exactly
     * ({@code ddpm train} asks it on SIGTERM and Ctrl-C).
     */
    public static Path run(Trainer trainer, Options options, TrainingListener listener, BooleanSupplier stop)
            throws IOException {
        return run(trainer, options, listener, stop, TrainingClock.ZERO, Evaluation.NONE);
    }

    /**
     * As {@link #run(Trainer, Options, TrainingListener, BooleanSupplier)}, continuing the cost of the
     * run from {@code startClock} (the resumed checkpoint's {@link TrainingClock}; each checkpoint stores
     * the clock at its step) and scoring the model as {@code evaluation} says, into {@code fid.csv} and
     * {@code fid.png}. Evaluation time is measured apart and never counted as training time.
     */
    public static Path run(Trainer trainer, Options options, TrainingListener listener, BooleanSupplier stop,
            TrainingClock startClock, Evaluation evaluation) throws IOException {
        Path runDir = options.runDir();
        Files.createDirectories(runDir);
        CheckpointStore store = new CheckpointStore(runDir, options.keep());
        for (String line : store.recover()) {
            listener.onMessage(line);
        }
        LossHistory history = LossHistory.load(runDir, trainer.step());
        history.write(runDir); // rows after the resumed step (from an interrupted run) go now, not at the next checkpoint
        String git = GitInfo.commit();
        long start = trainer.step();
        EvalHistory scores = evaluation.every() > 0 ? EvalHistory.load(runDir, start) : null;
        Meter meter = new Meter(startClock, Threads.intraOpThreads());
        if (scores != null && start > 0 && start % evaluation.every() == 0
                && scores.rows().stream().noneMatch(r -> r.step() == start)) {
            evaluate(trainer, evaluation, scores, meter, runDir, listener); // the resumed step's score was lost
        }
        long until = options.untilStep();
        Path lastCheckpoint = null;
        listener.onStart(start, until);
        double smoothed = Double.NaN;
        long windowStart = System.nanoTime();
        long windowSteps = 0;
        double imagesPerSecond = 0;
        try {
            while (trainer.step() < until) {
                long s = trainer.step();
                float loss;
                try {
                    loss = trainer.trainStep();
                } catch (TrainingDivergedException e) {
                    history.write(runDir);
                    throw new TrainingDivergedException(e.step(), e.getMessage() + "; last good checkpoint: "
                            + (lastCheckpoint != null ? lastCheckpoint : lastSaved(runDir)));
                }
                long done = trainer.step();
                history.add(done, loss, trainer.config().learningRateAt(s), trainer.lastGradNorm());
                smoothed = Double.isNaN(smoothed) ? loss : smoothed * 0.98 + loss * 0.02;
                windowSteps++;
                long now = System.nanoTime();
                double secs = (now - windowStart) / 1e9;
                if (secs > 0) {
                    imagesPerSecond = windowSteps * trainer.config().batch() / secs;
                }
                if (secs > 30) {
                    windowStart = now;
                    windowSteps = 0;
                }
                listener.onStep(done, loss, smoothed, imagesPerSecond);
                boolean stopping = done < until && stop.getAsBoolean();
                boolean last = done == until;
                if (done % options.checkpointEvery() == 0 || last || stopping) {
                    lastCheckpoint = store.save(done, trainer.spec(), trainer.config(), trainer.model().weights(),
                            trainer.emaModel().weights(), trainer.optimizerState(), git, meter.now());
                    history.write(runDir);
                    listener.onCheckpoint(done, lastCheckpoint);
                }
                if (options.sampleCount() > 0
                        && ((options.sampleEvery() > 0 && done % options.sampleEvery() == 0) || last)) {
                    Path png = runDir.resolve(SAMPLES).resolve(CheckpointStore.folderName(done) + ".png");
                    SampleGrid.write(trainer.emaModel(), trainer.config().objective().predictionType(), trainer.schedule(), options.sampleCount(),
                            options.sampleSteps(), options.sampleSeed(), png);
                    listener.onSamples(done, png);
                }
                if (scores != null && (done % evaluation.every() == 0 || last)) {
                    evaluate(trainer, evaluation, scores, meter, runDir, listener);
                    windowStart = System.nanoTime(); // the speed shown is training's, not evaluation's
                    windowSteps = 0;
                }
                if (stopping) {
                    listener.onMessage("stopped at step " + done + " of " + until + " on request; checkpoint "
                            + lastCheckpoint + " holds it (--resume continues exactly from there)");
                    break;
                }
            }
        } finally {
            listener.onEnd();
        }
        if (lastCheckpoint == null) {
            listener.onMessage("already at step " + trainer.step() + " (target " + until + "): nothing to do");
        }
        return lastCheckpoint;
    }

    private static void evaluate(Trainer trainer, Evaluation evaluation, EvalHistory scores, Meter meter, Path runDir,
            TrainingListener listener) throws IOException {
        long step = trainer.step();
        TrainingClock clock = meter.now();
        meter.beginEvaluation();
        TrainingEvaluator.Score score = evaluation.evaluator().evaluate(trainer, step);
        double seconds = meter.endEvaluation();
        scores.add(new EvalHistory.Row(step, clock, score.fid(), score.classAccuracy(), score.images(), seconds));
        scores.write(runDir);
        listener.onMessage(String.format(java.util.Locale.ROOT,
                "eval at step %d: FID %.2f%s (%d images, %.0f s, not counted); training so far %.2f h (%.0f CPU s"
                        + " / %d threads), %.0f s wall", step, score.fid(),
                Double.isFinite(score.classAccuracy())
                        ? String.format(java.util.Locale.ROOT, ", class accuracy %.1f%%", 100 * score.classAccuracy())
                        : "", score.images(), seconds, clock.trainingHours(), clock.cpuSeconds(), clock.threads(),
                clock.wallSeconds()));
    }

    /** The run's {@link TrainingClock}: CPU and wall time since the start, less evaluations. */
    private static final class Meter {
        private final TrainingClock base;
        private final int threads;
        private final double cpu0 = TrainingClock.processCpuSeconds();
        private final long wall0 = System.nanoTime();
        private double evalCpu;
        private double evalWall;
        private double evalCpuStart;
        private long evalWallStart;

        Meter(TrainingClock base, int threads) {
            this.base = base;
            this.threads = threads;
        }

        TrainingClock now() {
            double cpu = TrainingClock.processCpuSeconds() - cpu0 - evalCpu;
            double wall = (System.nanoTime() - wall0) / 1e9 - evalWall;
            return new TrainingClock(base.cpuSeconds() + (Double.isFinite(cpu) ? cpu : 0), base.wallSeconds() + wall,
                    base.evalSeconds() + evalWall, threads);
        }

        void beginEvaluation() {
            evalCpuStart = TrainingClock.processCpuSeconds();
            evalWallStart = System.nanoTime();
        }

        double endEvaluation() {
            double wall = (System.nanoTime() - evalWallStart) / 1e9;
            double cpu = TrainingClock.processCpuSeconds() - evalCpuStart;
            evalWall += wall;
            evalCpu += Double.isFinite(cpu) ? cpu : 0;
            return wall;
        }
    }

    private static String lastSaved(Path runDir) {
        try {
            return org.ddpm4j.trainer.checkpoint.Checkpoint.locate(runDir).toString();
        } catch (IOException e) {
            return "none";
        }
    }
}
