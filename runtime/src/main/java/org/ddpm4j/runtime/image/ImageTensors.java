package org.ddpm4j.runtime.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.commons.imaging.ImageFormats;
import org.apache.commons.imaging.Imaging;
import org.apache.commons.imaging.ImagingException;
import org.ddpm4j.runtime.io.AtomicFiles;

/** Conversions between NCHW float tensors in [-1, 1] and images, and PNG writing. */
public final class ImageTensors {

    private ImageTensors() {
    }

    /** Maps a model value in [-1, 1] to a byte 0..255, clamping. */
    public static int toByte(float v) {
        int b = Math.round((v + 1f) * 127.5f);
        return b < 0 ? 0 : Math.min(255, b);
    }

    /**
     * Image {@code index} of a batch as an RGB image (one channel is drawn as gray).
     *
     * @param x        {@code B*C*H*W} values in [-1, 1]
     * @param channels C, 1 or 3
     */
    public static BufferedImage toImage(float[] x, int index, int channels, int height, int width) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images need 1 or 3 channels, found " + channels);
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int plane = height * width;
        int base = index * channels * plane;
        for (int y = 0; y < height; y++) {
            for (int xx = 0; xx < width; xx++) {
                int p = y * width + xx;
                int r = toByte(x[base + p]);
                int g = channels == 3 ? toByte(x[base + plane + p]) : r;
                int b = channels == 3 ? toByte(x[base + 2 * plane + p]) : r;
                img.setRGB(xx, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    /**
     * A grid of the batch, {@code columns} wide, with a {@code padding}-pixel dark border between
     * images, each image scaled up by the integer {@code scale}.
     */
    public static BufferedImage grid(float[] x, int batch, int channels, int height, int width,
            int columns, int padding, int scale) {
        int cols = Math.max(1, Math.min(columns, batch));
        int rows = (batch + cols - 1) / cols;
        int cellW = width * scale;
        int cellH = height * scale;
        BufferedImage out = new BufferedImage(cols * cellW + (cols + 1) * padding,
                rows * cellH + (rows + 1) * padding, BufferedImage.TYPE_INT_RGB);
        for (int k = 0; k < batch; k++) {
            BufferedImage img = toImage(x, k, channels, height, width);
            int ox = padding + (k % cols) * (cellW + padding);
            int oy = padding + (k / cols) * (cellH + padding);
            for (int y = 0; y < cellH; y++) {
                for (int xx = 0; xx < cellW; xx++) {
                    out.setRGB(ox + xx, oy + y, img.getRGB(xx / scale, y / scale));
                }
            }
        }
        return out;
    }

    /** Writes a PNG atomically (temporary file in the same folder, then rename). */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        AtomicFiles.write(file, os -> {
            try {
                Imaging.writeImage(image, os, ImageFormats.PNG);
            } catch (ImagingException e) {
                throw new IOException("cannot encode PNG " + file + ": " + e.getMessage(), e);
            }
        });
    }
}
