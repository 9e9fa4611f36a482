package org.ddpm4j.trainer.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
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
 * class accuracy, images scored, and the evaluation's own seconds) and {@code fid.png} (FID against
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
                    w.write(String.format(Locale.ROOT, "%d,%.1f,%.1f,%d,%.4f,%s,%s,%d,%.1f", r.step(),
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

    /** FID (log scale) against training hours, each point labelled with its step. */
    public BufferedImage plot(int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        int left = 70;
        int right = 30;
        int top = 30;
        int bottom = 45;
        int pw = width - left - right;
        int ph = height - top - bottom;
        List<Row> ok = rows.stream().filter(r -> r.fid() > 0 && Double.isFinite(r.fid())).toList();
        double lo = ok.stream().mapToDouble(Row::fid).min().orElse(1);
        double hi = ok.stream().mapToDouble(Row::fid).max().orElse(100);
        double lLo = Math.floor(Math.log10(lo) * 4) / 4;
        double lHi = Math.ceil(Math.log10(hi) * 4) / 4;
        if (lHi - lLo < 0.5) {
            lHi = lLo + 0.5;
        }
        double hMax = Math.max(0.1, ok.stream().mapToDouble(r -> r.clock().trainingHours()).max().orElse(1));
        hMax = Math.ceil(hMax * 2) / 2;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i <= 4; i++) {
            double v = lLo + (lHi - lLo) * i / 4;
            int y = top + (int) ((lHi - v) / (lHi - lLo) * ph);
            g.setColor(new Color(215, 215, 215));
            g.drawLine(left, y, left + pw, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.3g", Math.pow(10, v)), 8, y + 4);
        }
        int ticks = (int) Math.round(hMax / 0.5);
        int every = Math.max(1, ticks / 10);
        for (int i = 0; i <= ticks; i += every) {
            double h = i * 0.5;
            int x = left + (int) (h / hMax * pw);
            g.setColor(new Color(215, 215, 215));
            g.drawLine(x, top, x, top + ph);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.1f", h), x - 8, top + ph + 16);
        }
        g.drawString("training hours (CPU seconds / threads / 3600, evaluation excluded)", left + pw / 2 - 170,
                height - 8);
        g.drawString("FID of the EMA weights during training (log scale)", left, 18);
        g.setColor(Color.GRAY);
        g.drawRect(left, top, pw, ph);
        Path2D line = new Path2D.Double();
        boolean first = true;
        g.setClip(left - 4, top - 4, pw + 8, ph + 8);
        for (Row r : ok) {
            double x = left + r.clock().trainingHours() / hMax * pw;
            double y = top + (lHi - Math.log10(r.fid())) / (lHi - lLo) * ph;
            if (first) {
                line.moveTo(x, y);
                first = false;
            } else {
                line.lineTo(x, y);
            }
        }
        g.setColor(new Color(30, 90, 200));
        g.setStroke(new BasicStroke(2f));
        g.draw(line);
        g.setClip(null);
        for (Row r : ok) {
            int x = left + (int) (r.clock().trainingHours() / hMax * pw);
            int y = top + (int) ((lHi - Math.log10(r.fid())) / (lHi - lLo) * ph);
            g.setColor(new Color(30, 90, 200));
            g.fillOval(x - 3, y - 3, 7, 7);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.1f @%d", r.fid(), r.step()), x + 5, y - 5);
        }
        g.dispose();
        return img;
    }
}
