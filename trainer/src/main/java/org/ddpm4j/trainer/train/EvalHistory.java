package org.ddpm4j.trainer.train;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ddpm4j.runtime.image.ImageTensors;
import org.ddpm4j.runtime.io.AtomicFiles;

/**
 * The scores of {@code ddpm train --eval-every}: {@code fid.csv} (one row per evaluation: the step, the
 * training's wall and CPU seconds so far without evaluation, its threads and training hours, FID,
 * class accuracy, images scored, and the evaluation's own seconds, to the millisecond: a small one takes less than 0.05 s) and {@code fid.png} (FID against
 * training hours). A resumed run keeps the rows up to its checkpoint's step and continues the file.
 */
public final class EvalHistory {

    /** CSV file name inside the run folder. */
    public static final String CSV = "fid.csv";
    /** Plot file name inside the run folder. */
    public static final String PNG = "fid.png";
    static final String HEADER = "step,wall_s,cpu_s,threads,train_hours,fid,class_accuracy,images,eval_s";

    /**
     * One evaluation.
     *
     * @param step          steps done when it ran
     * @param clock         the training's cost up to that step (evaluation excluded)
     * @param fid           FID
     * @param classAccuracy class accuracy (NaN when the model or extractor has no classes)
     * @param images        images scored
     * @param evalSeconds   wall seconds of this evaluation
     */
    public record Row(long step, TrainingClock clock, double fid, double classAccuracy, long images,
            double evalSeconds) {
    }

    private final List<Row> rows = new ArrayList<>();

    /** Rows so far. */
    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** Records an evaluation. */
    public void add(Row row) {
        rows.add(row);
    }

    /** Reads {@code runDir/fid.csv} if present, keeping rows up to {@code upToStep} (a resumed run). */
    public static EvalHistory load(Path runDir, long upToStep) throws IOException {
        EvalHistory h = new EvalHistory();
        Path csv = runDir.resolve(CSV);
        if (!Files.isRegularFile(csv)) {
            return h;
        }
        for (String line : Files.readAllLines(csv)) {
            if (line.isBlank() || line.startsWith("step")) {
                continue;
            }
            String[] f = line.split(",", -1);
            try {
                long step = Long.parseLong(f[0]);
                if (step <= upToStep) {
                    TrainingClock clock = new TrainingClock(Double.parseDouble(f[2]), Double.parseDouble(f[1]),
                            0, Integer.parseInt(f[3]));
                    h.add(new Row(step, clock, number(f[5]), number(f[6]), Long.parseLong(f[7]),
                            Double.parseDouble(f[8])));
                }
            } catch (RuntimeException e) {
                // a damaged line (cut by a crash) is dropped
            }
        }
        return h;
    }

    private static double number(String s) {
        return s.isBlank() ? Double.NaN : Double.parseDouble(s);
    }

    /** Writes {@code fid.csv} and {@code fid.png} into {@code runDir}, each atomically. */
    public void write(Path runDir) throws IOException {
        Files.createDirectories(runDir);
        AtomicFiles.writeVia(runDir.resolve(CSV), tmp -> {
            try (BufferedWriter w = Files.newBufferedWriter(tmp)) {
                w.write(HEADER);
                w.newLine();
                for (Row r : rows) {
                    w.write(String.format(Locale.ROOT, "%d,%.1f,%.1f,%d,%.4f,%s,%s,%d,%.3f", r.step(),
                            r.clock().wallSeconds(), r.clock().cpuSeconds(), r.clock().threads(),
                            r.clock().trainingHours(), format(r.fid(), "%.4f"), format(r.classAccuracy(), "%.4f"),
                            r.images(), r.evalSeconds()));
                    w.newLine();
                }
            }
        });
        if (!rows.isEmpty()) {
            ImageTensors.writePng(plot(900, 500), runDir.resolve(PNG));
        }
    }

    private static String format(double v, String f) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, f, v) : "";
    }

    /** FID (log scale) against training hours, each point labelled with its FID above and its step below. */
    public BufferedImage plot(int width, int height) {
        List<Row> ok = rows.stream().filter(r -> r.fid() > 0 && Double.isFinite(r.fid())).toList();
        double lo = ok.stream().mapToDouble(Row::fid).min().orElse(1);
        double hi = ok.stream().mapToDouble(Row::fid).max().orElse(100);
        LogChart chart = new LogChart(width, height, lo, hi, 0.5, "FID of the EMA weights during training (log scale)");
        double hMax = Math.max(0.1, ok.stream().mapToDouble(r -> r.clock().trainingHours()).max().orElse(1));
        hMax = Math.ceil(hMax * 2) / 2;
        int ticks = (int) Math.round(hMax / 0.5);
        int every = Math.max(1, ticks / 10);
        for (int i = 0; i <= ticks; i += every) {
            chart.xTick(i * 0.5 / hMax, String.format(Locale.ROOT, "%.1f", i * 0.5));
        }
        chart.xCaption("training hours (CPU seconds / threads / 3600, evaluation excluded)");
        Path2D line = new Path2D.Double();
        for (Row r : ok) {
            double x = chart.x(r.clock().trainingHours() / hMax);
            double y = chart.y(r.fid());
            if (line.getCurrentPoint() == null) {
                line.moveTo(x, y);
            } else {
                line.lineTo(x, y);
            }
        }
        chart.line(line, LogChart.DATA, 2f);
        Graphics2D g = chart.graphics();
        java.awt.FontMetrics fm = g.getFontMetrics();
        for (Row r : ok) {
            int x = (int) chart.x(r.clock().trainingHours() / hMax);
            int y = (int) chart.y(r.fid());
            g.setColor(LogChart.DATA);
            g.fillOval(x - 3, y - 3, 7, 7);
            // the FID above the point and its step below, each centred on it (short enough not to collide
            // with the neighbours' at one evaluation every few percent of the axis)
            String value = String.format(Locale.ROOT, "%.1f", r.fid());
            String step = "@" + r.step();
            g.setColor(Color.DARK_GRAY);
            g.drawString(value, Math.min(x - fm.stringWidth(value) / 2, width - 2 - fm.stringWidth(value)), y - 7);
            g.setColor(Color.GRAY);
            g.drawString(step, Math.min(x - fm.stringWidth(step) / 2, width - 2 - fm.stringWidth(step)), y + 17);
        }
        return chart.finish();
    }

}
