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
                            trainer.emaModel().weights(), trainer.optimizerState(), git);
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

    private static String lastSaved(Path runDir) {
        try {
            return org.ddpm4j.trainer.checkpoint.Checkpoint.locate(runDir).toString();
        } catch (IOException e) {
            return "none";
        }
    }
}
