package org.ddpm4j.tools.fid;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.ddpm4j.runtime.io.AtomicFiles;
import org.ddpm4j.runtime.image.ImageTensors;

/**
 * The FID table: one row per compared set (noise, the real-data floor, a model at several sampler
 * settings), printed as text, written as CSV, and drawn as a horizontal bar chart (Java2D, headless).
 * Rows of a class-conditional model also carry their guidance scale and class accuracy ("n/a" elsewhere).
 */
public final class FidTable {

    /**
     * One row.
     *
     * @param name      what was measured (for example {@code noise}, {@code fashion-mnist-train (floor)},
     *                  {@code model ddim-50})
     * @param sampler   sampler name, empty for real data and noise
     * @param steps     sampler steps, 0 for real data and noise
     * @param guidance  the guidance scale of a class-conditional model's samples, null for anything else
     * @param images    images in the measured set
     * @param reference the reference set
     * @param fid       the FID
     * @param classAccuracy the share of samples classified as the class they were drawn for, in [0, 1];
     *                  NaN when it does not apply (not a conditional model, or an extractor without class scores)
     * @param seconds   wall time of the row (sampling plus features)
     */
    public record Row(String name, String sampler, int steps, Double guidance, long images, String reference, double fid,
            double classAccuracy, double seconds) {

        /** The class accuracy as a percentage ({@code 87.5%}), or {@code n/a}. */
        public String accuracyText() {
            return Double.isNaN(classAccuracy) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * classAccuracy);
        }
    }

    private static final String CSV_HEADER = "name,sampler,steps,guidance,images,reference,fid,class_accuracy,seconds";

    private FidTable() {
    }

    /** The table as aligned text. */
    public static String format(List<Row> rows) {
        int w = "set".length();
        for (Row r : rows) {
            w = Math.max(w, r.name().length());
        }
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-" + w + "s  %8s  %10s  %9s  %8s%n", "set", "images", "FID", "class acc",
                "seconds"));
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "%-" + w + "s  %8d  %10.3f  %9s  %8.1f%n", r.name(), r.images(), r.fid(),
                    r.accuracyText(), r.seconds()));
        }
        return b.toString();
    }

    /**
     * The table as CSV text (header {@value #CSV_HEADER}); guidance is empty and class_accuracy (a share
     * in [0, 1]) is {@code n/a} where they do not apply.
     */
    public static String toCsv(List<Row> rows) {
        StringBuilder b = new StringBuilder(CSV_HEADER).append('\n');
        for (Row r : rows) {
            b.append(csv(r.name())).append(',').append(csv(r.sampler())).append(',').append(r.steps()).append(',')
                    .append(r.guidance() == null ? "" : r.guidance().toString()).append(',')
                    .append(r.images()).append(',').append(csv(r.reference())).append(',')
                    .append(String.format(Locale.ROOT, "%.6f", r.fid())).append(',')
                    .append(Double.isNaN(r.classAccuracy()) ? "n/a" : String.format(Locale.ROOT, "%.6f", r.classAccuracy()))
                    .append(',')
                    .append(String.format(Locale.ROOT, "%.3f", r.seconds())).append('\n');
        }
        return b.toString();
    }

    private static String csv(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    /** Writes the CSV atomically. */
    public static void writeCsv(List<Row> rows, Path file) throws IOException {
        AtomicFiles.write(file, toCsv(rows).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Draws the rows as a horizontal bar chart (one bar per row, its FID printed at the bar's end, and a
     * conditional model's class accuracy after it).
     */
    public static BufferedImage chart(List<Row> rows, String title) {
        int barH = 28;
        int gap = 10;
        int left = 260;
        int right = 170;
        int plotW = 520;
        int top = 56;
        int bottom = 40;
        int height = top + bottom + rows.size() * (barH + gap);
        int width = left + plotW + right;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(title, 12, 26);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString("FID (lower is better)", left, 46);
            double max = 0;
            for (Row r : rows) {
                max = Math.max(max, r.fid());
            }
            max = max <= 0 ? 1 : max;
            FontMetrics fm = g.getFontMetrics();
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                int y = top + i * (barH + gap);
                int len = (int) Math.round(plotW * r.fid() / max);
                g.setColor(barColour(r));
                g.fillRect(left, y, Math.max(1, len), barH);
                g.setColor(Color.BLACK);
                String name = r.name();
                while (fm.stringWidth(name) > left - 16 && name.length() > 4) {
                    name = name.substring(0, name.length() - 2);
                }
                g.drawString(name, left - 8 - fm.stringWidth(name), y + barH / 2 + fm.getAscent() / 2 - 2);
                String value = String.format(Locale.ROOT, "%.2f", r.fid());
                if (r.guidance() != null) {
                    value += "  (class acc " + r.accuracyText() + ")";
                }
                g.drawString(value, left + Math.max(1, len) + 6, y + barH / 2 + fm.getAscent() / 2 - 2);
            }
            g.setStroke(new BasicStroke(1f));
            g.drawLine(left, top - 4, left, height - bottom + 4);
        } finally {
            g.dispose();
        }
        return img;
    }

    private static Color barColour(Row r) {
        if (r.sampler().isEmpty()) {
            return r.name().startsWith("noise") ? new Color(0x9e9e9e) : new Color(0x4caf50);
        }
        return new Color(0x3f51b5);
    }

    /** Writes the bar chart as a PNG atomically. */
    public static void writeChart(List<Row> rows, String title, Path file) throws IOException {
        ImageTensors.writePng(chart(rows, title), file);
    }

}
