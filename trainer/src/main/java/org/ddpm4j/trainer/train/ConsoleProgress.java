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
                .setMaxRenderedLength(120);
        bar = build(b, out, terminal, 1000, LOG_INTERVAL_MILLIS, 120);
    }

    /**
     * Builds {@code b} (ASCII style) onto {@code out}: redrawn in place every {@code terminalMillis}
     * when {@code terminal}; else a plain line every {@code logMillis}, a line identical to the one
     * before never repeated (the bar renders once more when it closes). {@code width} 0 on a terminal
     * means the terminal's own width. The command line's bars are built here too.
     */
    public static ProgressBar build(ProgressBarBuilder b, PrintStream out, boolean terminal, int terminalMillis,
            int logMillis, int width) {
        b.setStyle(ProgressBarStyle.ASCII);
        if (terminal) {
            return b.setUpdateIntervalMillis(terminalMillis).setConsumer(width > 0
                    ? new ConsoleProgressBarConsumer(out, width) : new ConsoleProgressBarConsumer(out)).build();
        }
        String[] last = {null};
        return b.setUpdateIntervalMillis(logMillis).setConsumer(new DelegatingProgressBarConsumer(line -> {
            if (!line.equals(last[0])) {
                out.println(line);
                last[0] = line;
            }
        }, width > 0 ? width : 100)).build();
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
