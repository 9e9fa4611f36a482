package org.ddpm4j.trainer.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/** Brings decoded images to the model's square size and channel count. */
public final class ImageResizer {

    private ImageResizer() {
    }

    /**
     * Scales the shorter side to {@code size} (halving first while far larger, for quality), crops
     * the centre, and returns {@code channels x size x size} bytes (gray as luma 0.299 R + 0.587 G + 0.114 B).
     */
    public static byte[] resizeCrop(BufferedImage src, int size, int channels) {
        BufferedImage img = toRgb(src);
        while (Math.min(img.getWidth(), img.getHeight()) >= 4 * size) {
            img = scale(img, img.getWidth() / 2, img.getHeight() / 2);
        }
        double s = (double) size / Math.min(img.getWidth(), img.getHeight());
        int w = Math.max(size, (int) Math.round(img.getWidth() * s));
        int h = Math.max(size, (int) Math.round(img.getHeight() * s));
        if (w != img.getWidth() || h != img.getHeight()) {
            img = scale(img, w, h);
        }
        int x0 = (w - size) / 2;
        int y0 = (h - size) / 2;
        return toBytes(img, x0, y0, size, channels);
    }

    static BufferedImage toRgb(BufferedImage src) {
        if (src.getType() == BufferedImage.TYPE_INT_RGB) {
            return src;
        }
        BufferedImage rgb = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        g.drawImage(src, 0, 0, null);
        g.dispose();
        return rgb;
    }

    private static BufferedImage scale(BufferedImage img, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(img, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    private static byte[] toBytes(BufferedImage img, int x0, int y0, int size, int channels) {
        byte[] out = new byte[channels * size * size];
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = img.getRGB(x0 + x, y0 + y);
                int r = (rgb >> 16) & 0xff;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                int p = y * size + x;
                if (channels == 1) {
                    out[p] = (byte) Math.min(255, Math.round(0.299f * r + 0.587f * g + 0.114f * b));
                } else {
                    out[p] = (byte) r;
                    out[plane + p] = (byte) g;
                    out[2 * plane + p] = (byte) b;
                }
            }
        }
        return out;
    }

    /** A gray image of {@code rows x cols} bytes as a BufferedImage. */
    public static BufferedImage grayImage(byte[] pixels, int rows, int cols) {
        BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < cols; x++) {
                int v = pixels[y * cols + x] & 0xff;
                img.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        return img;
    }
}
