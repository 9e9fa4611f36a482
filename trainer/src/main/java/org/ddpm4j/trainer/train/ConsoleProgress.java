package org.ddpm4j.trainer.train;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar on standard error: step, smoothed loss, images/s and ETA; checkpoints and samples as lines. */
public final class ConsoleProgress implements TrainingListener {

    private final PrintStream out;
    private ProgressBar bar;

    /** Reports to {@code out} (usually standard error). */
    public ConsoleProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onStart(long fromStep, long untilStep) {
        bar = new ProgressBarBuilder()
                .setTaskName("train")
                .setInitialMax(untilStep)
                .startsFrom(fromStep, Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(1000)
                .setMaxRenderedLength(120)
                .build();
    }

    @Override
    public void onStep(long step, float loss, double smoothedLoss, double imagesPerSecond) {
        if (bar != null) {
            bar.stepTo(step);
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f  %.1f img/s", smoothedLoss, imagesPerSecond));
        }
    }

    @Override
    public void onCheckpoint(long step, Path dir) {
        message("step " + step + ": checkpoint " + dir);
    }

    @Override
    public void onSamples(long step, Path png) {
        message("step " + step + ": samples " + png);
    }

    @Override
    public void onMessage(String message) {
        message(message);
    }

    private void message(String m) {
        out.println();
        out.println(m);
    }

    @Override
    public void onEnd() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
