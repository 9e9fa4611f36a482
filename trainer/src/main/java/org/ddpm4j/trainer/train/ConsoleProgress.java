package org.ddpm4j.trainer.train;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on standard error: step, smoothed loss, images/s and ETA; checkpoints and samples as
 * lines. On a terminal the bar is redrawn in place; into a log or a pipe it is one plain line every
 * {@link #LOG_INTERVAL_MILLIS} ms instead of carriage-return frames.
 */
public final class ConsoleProgress implements TrainingListener {

    /** Interval of the plain progress lines written to a log. */
    public static final int LOG_INTERVAL_MILLIS = 10_000;

    private final PrintStream out;
    private final boolean terminal;
    private ProgressBar bar;
    private String lastLogLine;

    /** Reports to {@code out} (usually standard error), as a bar when a console is attached. */
    public ConsoleProgress(PrintStream out) {
        this(out, System.console() != null);
    }

    /** Reports to {@code out}: a bar redrawn in place when {@code terminal}, else a line every few seconds. */
    public ConsoleProgress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public void onStart(long fromStep, long untilStep) {
        ProgressBarBuilder b = new ProgressBarBuilder()
                .setTaskName("train")
                .setInitialMax(untilStep)
                .startsFrom(fromStep, Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII)
                .setMaxRenderedLength(120);
        if (terminal) {
            b.setUpdateIntervalMillis(1000).setConsumer(new ConsoleProgressBarConsumer(out, 120));
        } else {
            // the bar renders once more when it closes: a log gets that line only if something changed
            b.setUpdateIntervalMillis(LOG_INTERVAL_MILLIS).setConsumer(new DelegatingProgressBarConsumer(this::logLine, 120));
        }
        bar = b.build();
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

    private void logLine(String line) {
        if (!line.equals(lastLogLine)) {
            out.println(line);
            lastLogLine = line;
        }
    }

    private void message(String m) {
        if (terminal) {
            out.println(); // off the bar's line
        }
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
