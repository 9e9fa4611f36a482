package org.ddpm4j.trainer.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.math.MathContext;

/**
 * The frame of a run folder's charts ({@code loss.png}, {@code fid.png}): a white canvas, a logarithmic y axis
 * with light lines at each of 1..9 times a power of ten, labelled at round values (1, 2 and 5 times a power of ten
 * over a few decades, every line over less than one), x ticks the caller places, a title and an x-axis caption. The caller draws its data with {@link #x(double)} and {@link #y(double)} and
 * calls {@link #finish()}. Java2D only, so a run writes its charts with no plotting dependency.
 */
final class LogChart {

    /** The colour of the charts' data lines. */
    static final Color DATA = new Color(30, 90, 200);
    private static final Color MINOR = new Color(240, 240, 240);
    private static final Color MAJOR = new Color(212, 212, 212);
    private static final int LEFT = 70;
    private static final int TOP = 30;
    private static final int RIGHT = 30;
    private static final int BOTTOM = 45;

    private final BufferedImage image;
    private final Graphics2D g;
    private final int height;
    private final int pw;
    private final int ph;
    private final double lLo;
    private final double hi;

    /**
     * A chart whose y axis spans {@code [lo, hi]} (positive; both NaN or out of order: 1e-3..1), widened to whole
     * quarter decades and to at least {@code minDecades}.
     */
    LogChart(int width, int height, double lo, double hi, double minDecades, String title) {
        if (!(lo > 0) || !(hi >= lo) || Double.isInfinite(hi)) {
            lo = 1e-3;
            hi = 1;
        }
        this.height = height;
        this.pw = width - LEFT - RIGHT;
        this.ph = height - TOP - BOTTOM;
        this.lLo = Math.floor(Math.log10(lo) * 4) / 4;
        double top = Math.ceil(Math.log10(hi) * 4) / 4;
        this.hi = Math.max(top, lLo + minDecades);
        this.image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        this.g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        // light lines at 1..9 x 10^e; labelled, darker ones at the round values the span leaves room for
        double span = this.hi - lLo;
        String labelled = span <= 0.6 ? "123456789" : span <= 2.5 ? "125" : "1";
        for (double e = Math.floor(lLo); e <= this.hi; e += 1) {
            for (int m = 1; m < 10; m++) {
                double v = e + Math.log10(m);
                if (v < lLo - 1e-9 || v > this.hi + 1e-9) {
                    continue;
                }
                boolean label = labelled.indexOf('0' + m) >= 0;
                int y = horizontal(v, label ? MAJOR : MINOR);
                if (label) {
                    g.setColor(Color.DARK_GRAY);
                    g.drawString(new BigDecimal(m * Math.pow(10, e)).round(new MathContext(3)).stripTrailingZeros().toPlainString(), 8, y + 4);
                }
            }
        }
        g.setColor(Color.DARK_GRAY);
        g.drawString(title, LEFT, 18);
    }

    private int horizontal(double log10, Color color) {
        int y = TOP + (int) ((hi - log10) / (hi - lLo) * ph);
        g.setColor(color);
        g.drawLine(LEFT, y, LEFT + pw, y);
        return y;
    }

    /** The canvas x of a point {@code fraction} of the way along the x axis (0 = left edge, 1 = right edge). */
    double x(double fraction) {
        return LEFT + fraction * pw;
    }

    /** The canvas y of a positive value on the logarithmic axis. */
    double y(double value) {
        return TOP + (hi - Math.log10(value)) / (hi - lLo) * ph;
    }

    /** A vertical grid line at {@code fraction} of the x axis, labelled under the axis. */
    void xTick(double fraction, String label) {
        int x = (int) x(fraction);
        g.setColor(MAJOR);
        g.drawLine(x, TOP, x, TOP + ph);
        g.setColor(Color.DARK_GRAY);
        g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, TOP + ph + 16);
    }

    /** The x axis's caption, centred under it; then the plot's border. Call after the ticks, before the data. */
    void xCaption(String caption) {
        FontMetrics fm = g.getFontMetrics();
        g.setColor(Color.DARK_GRAY);
        g.drawString(caption, LEFT + (pw - fm.stringWidth(caption)) / 2, height - 8);
        g.setColor(Color.GRAY);
        g.drawRect(LEFT, TOP, pw, ph);
    }

    /** Draws a data line, clipped to the plot (a few pixels of slack so end points keep their stroke). */
    void line(Shape path, Color color, float width) {
        g.setClip(LEFT - 4, TOP - 4, pw + 8, ph + 8);
        g.setColor(color);
        g.setStroke(new BasicStroke(width));
        g.draw(path);
        g.setClip(null);
        g.setStroke(new BasicStroke(1f));
    }

    /** The graphics, for marks and labels beyond {@link #line}. */
    Graphics2D graphics() {
        return g;
    }

    /** Releases the graphics and returns the image. */
    BufferedImage finish() {
        g.dispose();
        return image;
    }
}
