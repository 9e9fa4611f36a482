package org.ddpm4j.tools;

import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.ddpm4j.trainer.train.ConsoleProgress;

/**
 * Progress bars of the command line: redrawn in place on a terminal; when standard error is a log or a pipe,
 * one plain line every {@link #LOG_INTERVAL_MILLIS} ms instead of carriage-return frames.
 */
public final class ProgressBars {

    /** Interval of the plain progress lines written to a log. */
    public static final int LOG_INTERVAL_MILLIS = 5000;

    private ProgressBars() {
    }

    /** Whether the process runs on a terminal (a console is attached). */
    public static boolean onTerminal() {
        return System.console() != null;
    }

    /** A bar on {@code err}: drawn in place on a terminal, else a line every few seconds. */
    public static ProgressBar bar(String label, long total, String unit, PrintStream err) {
        return bar(label, total, unit, err, onTerminal());
    }

    /** As {@link #bar(String, long, String, PrintStream)}, with the terminal decided by the caller (for tests). */
    public static ProgressBar bar(String label, long total, String unit, PrintStream err, boolean terminal) {
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(label).setInitialMax(total).setUnit(unit, 1);
        return ConsoleProgress.build(b, err, terminal, 250, LOG_INTERVAL_MILLIS, 0);
    }
}
