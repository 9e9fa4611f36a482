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
import org.ddpm4j.runtime.io.AtomicFiles;
import org.ddpm4j.runtime.image.ImageTensors;

/** The loss of every step, saved as {@code loss.csv} and plotted as {@code loss.png} (Java2D). */
public final class LossHistory {

    /** CSV file name inside the run folder. */
    public static final String CSV = "loss.csv";
    /** Plot file name inside the run folder. */
    public static final String PNG = "loss.png";
    private static final String HEADER = "step,loss,lr,grad_norm";

    /** One step's record. */
    public record Row(long step, float loss, double lr, double gradNorm) {
    }

    private final List<Row> rows = new ArrayList<>();

    /** Rows so far. */
    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** Records a step. */
    public void add(long step, float loss, double lr, double gradNorm) {
        rows.add(new Row(step, loss, lr, gradNorm));
    }

    /** Reads {@code runDir/loss.csv} if present, keeping steps up to {@code upToStep} (a resumed run). */
    public static LossHistory load(Path runDir, long upToStep) throws IOException {
        LossHistory h = new LossHistory();
        Path csv = runDir.resolve(CSV);
        if (!Files.isRegularFile(csv)) {
            return h;
        }
        for (String line : Files.readAllLines(csv)) {
            if (line.isBlank() || line.startsWith("step")) {
                continue;
            }
            String[] f = line.split(",");
            try {
                long step = Long.parseLong(f[0]);
                if (step <= upToStep) {
                    h.add(step, Float.parseFloat(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]));
                }
            } catch (RuntimeException e) {
                // a damaged line (e.g. cut by a crash) is dropped
            }
        }
        return h;
    }

    /** Writes {@code loss.csv} and {@code loss.png} into {@code runDir}, each atomically. */
    public void write(Path runDir) throws IOException {
        Files.createDirectories(runDir);
        AtomicFiles.writeVia(runDir.resolve(CSV), tmp -> {
            try (BufferedWriter w = Files.newBufferedWriter(tmp)) {
                w.write(HEADER);
                w.newLine();
                for (Row r : rows) {
                    w.write(String.format(Locale.ROOT, "%d,%.6g,%.6g,%.6g", r.step(), r.loss(), r.lr(), r.gradNorm()));
                    w.newLine();
                }
            }
        });
        if (!rows.isEmpty()) {
            ImageTensors.writePng(plot(900, 500), runDir.resolve(PNG));
        }
    }

    /** The loss curve: raw losses in light gray, a moving average in blue, logarithmic y axis. */
    public BufferedImage plot(int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        int left = 70;
        int right = 20;
        int top = 30;
        int bottom = 45;
        int pw = width - left - right;
        int ph = height - top - bottom;
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (Row r : rows) {
            if (r.loss() > 0 && Float.isFinite(r.loss())) {
                lo = Math.min(lo, r.loss());
                hi = Math.max(hi, r.loss());
            }
        }
        if (lo == Double.MAX_VALUE) {
            lo = 1e-3;
            hi = 1;
        }
        double lLo = Math.floor(Math.log10(lo) * 4) / 4;
        double lHi = Math.ceil(Math.log10(hi) * 4) / 4;
        if (lHi - lLo < 0.25) {
            lHi = lLo + 0.25;
        }
        long s0 = rows.isEmpty() ? 0 : rows.get(0).step();
        long s1 = rows.isEmpty() ? 1 : Math.max(s0 + 1, rows.get(rows.size() - 1).step());
        g.setColor(new Color(235, 235, 235));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (double e = Math.ceil(lLo); e <= lHi; e += 1) {
            for (int m = 1; m < 10; m++) {
                double v = Math.log10(m * Math.pow(10, e - 1));
                if (v >= lLo && v <= lHi) {
                    int y = top + (int) ((lHi - v) / (lHi - lLo) * ph);
                    g.setColor(new Color(240, 240, 240));
                    g.drawLine(left, y, left + pw, y);
                }
            }
        }
        for (int i = 0; i <= 4; i++) {
            double v = lLo + (lHi - lLo) * i / 4;
            int y = top + (int) ((lHi - v) / (lHi - lLo) * ph);
            g.setColor(new Color(210, 210, 210));
            g.drawLine(left, y, left + pw, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.3g", Math.pow(10, v)), 8, y + 4);
        }
        for (int i = 0; i <= 5; i++) {
            long s = s0 + (s1 - s0) * i / 5;
            int x = left + (int) ((double) (s - s0) / (s1 - s0) * pw);
            g.setColor(new Color(210, 210, 210));
            g.drawLine(x, top, x, top + ph);
            g.setColor(Color.DARK_GRAY);
            g.drawString(Long.toString(s), x - 10, top + ph + 16);
        }
        g.drawString("step", left + pw / 2 - 10, height - 8);
        g.drawString("training loss (log scale)", left, 18);
        g.setColor(Color.GRAY);
        g.drawRect(left, top, pw, ph);
        Path2D raw = new Path2D.Double();
        Path2D smooth = new Path2D.Double();
        double ema = Double.NaN;
        double alpha = Math.min(0.5, 20.0 / Math.max(1, rows.size()));
        boolean first = true;
        for (Row r : rows) {
            if (!(r.loss() > 0) || !Float.isFinite(r.loss())) {
                continue;
            }
            ema = Double.isNaN(ema) ? r.loss() : ema + alpha * (r.loss() - ema);
            double x = left + (double) (r.step() - s0) / (s1 - s0) * pw;
            double yRaw = top + (lHi - Math.log10(r.loss())) / (lHi - lLo) * ph;
            double ySm = top + (lHi - Math.log10(ema)) / (lHi - lLo) * ph;
            if (first) {
                raw.moveTo(x, yRaw);
                smooth.moveTo(x, ySm);
                first = false;
            } else {
                raw.lineTo(x, yRaw);
                smooth.lineTo(x, ySm);
            }
        }
        g.setClip(left, top, pw + 1, ph + 1);
        g.setColor(new Color(200, 200, 200));
        g.setStroke(new BasicStroke(1f));
        g.draw(raw);
        g.setColor(new Color(30, 90, 200));
        g.setStroke(new BasicStroke(2f));
        g.draw(smooth);
        g.dispose();
        return img;
    }
}
