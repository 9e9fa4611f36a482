package org.ddpm4j.trainer.train;

import java.awt.Color;
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

    /** The loss curve: each step's loss in light gray, a centred moving (geometric) mean in blue, logarithmic y axis. */
    public BufferedImage plot(int width, int height) {
        double lo = Double.NaN;
        double hi = Double.NaN;
        for (Row r : rows) {
            if (r.loss() > 0 && Float.isFinite(r.loss())) {
                lo = Double.isNaN(lo) ? r.loss() : Math.min(lo, r.loss());
                hi = Double.isNaN(hi) ? r.loss() : Math.max(hi, r.loss());
            }
        }
        LogChart chart = new LogChart(width, height, lo, hi, 0.25, "training loss (log scale)");
        long s0 = rows.isEmpty() ? 0 : rows.get(0).step();
        long s1 = rows.isEmpty() ? 1 : Math.max(s0 + 1, rows.get(rows.size() - 1).step());
        for (int i = 0; i <= 5; i++) {
            long s = s0 + (s1 - s0) * i / 5;
            chart.xTick((double) (s - s0) / (s1 - s0), Long.toString(s));
        }
        chart.xCaption("step");
        // the smoothed curve: a centred moving mean of log(loss), so it neither lags the early fall nor
        // lets one spike lift it (a trailing average drawn from step 1's loss of ~1 lagged for hundreds of steps)
        List<Row> ok = rows.stream().filter(r -> r.loss() > 0 && Float.isFinite(r.loss())).toList();
        double[] prefix = new double[ok.size() + 1];
        for (int i = 0; i < ok.size(); i++) {
            prefix[i + 1] = prefix[i] + Math.log10(ok.get(i).loss());
        }
        int half = Math.max(1, ok.size() / 400);
        Path2D raw = new Path2D.Double();
        Path2D smooth = new Path2D.Double();
        for (int i = 0; i < ok.size(); i++) {
            Row r = ok.get(i);
            int a = Math.max(0, i - half);
            int b = Math.min(ok.size(), i + half + 1);
            double mean = Math.pow(10, (prefix[b] - prefix[a]) / (b - a));
            double x = chart.x((double) (r.step() - s0) / (s1 - s0));
            if (i == 0) {
                raw.moveTo(x, chart.y(r.loss()));
                smooth.moveTo(x, chart.y(mean));
            } else {
                raw.lineTo(x, chart.y(r.loss()));
                smooth.lineTo(x, chart.y(mean));
            }
        }
        chart.line(raw, new Color(200, 200, 200), 1f);
        chart.line(smooth, LogChart.DATA, 2f);
        return chart.finish();
    }
}
