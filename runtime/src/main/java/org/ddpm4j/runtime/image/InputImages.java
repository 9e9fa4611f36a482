package org.ddpm4j.runtime.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Images given to a model (the starting image of image-to-image and inpainting, an inpainting mask), converted
 * to its channels and size.
 *
 * <ul>
 *   <li>Size: an image of another size is scaled so that its shorter side fits the model and its centre is
 *       cropped (as the trainer prepares its data), with {@link ImageResizer}'s filter; or refused with both
 *       sizes when resizing is not allowed.</li>
 *   <li>Channels: a one-channel model takes the luma 0.299 R + 0.587 G + 0.114 B, rounded (the trainer's
 *       conversion); a three-channel model takes R, G and B. Transparent pixels count as black.</li>
 *   <li>Values: byte b becomes {@code b / 127.5 - 1}, which {@link ImageTensors#toByte} turns back into b.</li>
 *   <li>Masks: white (luma &gt;= 50%) marks pixels to regenerate, black pixels to keep; gray is thresholded at
 *       50%, before and after resizing.</li>
 * </ul>
 */
public final class InputImages {

    private InputImages() {
    }

    /**
     * Reads a PNG, JPEG, GIF or BMP file.
     *
     * @throws NoSuchFileException when the file does not exist
     * @throws IOException         when it is not an image this JVM can decode
     */
    public static BufferedImage read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString());
        }
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": not a readable image (" + e.getMessage() + ")", e);
        }
        if (img == null) {
            throw new IOException(file + ": not a PNG, JPEG, GIF or BMP image");
        }
        return img;
    }

    /**
     * The image as a model tensor: {@code channels * height * width} values in [-1, 1].
     *
     * @param allowResize false to refuse an image of another size
     * @param name        the image's name in error messages
     * @throws IllegalArgumentException for another size when resizing is not allowed, or channels other than 1 or 3
     */
    public static float[] toTensor(BufferedImage img, int channels, int height, int width, boolean allowResize,
            String name) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images convert to 1 or 3 channels, the model has " + channels);
        }
        int[] rgb = fit(img, height, width, allowResize, name);
        int plane = height * width;
        float[] out = new float[channels * plane];
        for (int p = 0; p < plane; p++) {
            int r = rgb[p] >> 16 & 0xFF;
            int g = rgb[p] >> 8 & 0xFF;
            int b = rgb[p] & 0xFF;
            if (channels == 1) {
                out[p] = toValue(luma(r, g, b));
            } else {
                out[p] = toValue(r);
                out[plane + p] = toValue(g);
                out[2 * plane + p] = toValue(b);
            }
        }
        return out;
    }

    /**
     * A mask as {@code height * width} values: 1 where the image is white (regenerate), 0 where it is black
     * (keep), gray thresholded at 50% before and after resizing.
     *
     * @throws IllegalArgumentException for another size when resizing is not allowed
     */
    public static float[] toMask(BufferedImage img, int height, int width, boolean allowResize, String name) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] bw = pixels(img);
        for (int p = 0; p < bw.length; p++) {
            bw[p] = white(bw[p]) ? 0xFFFFFF : 0;
        }
        int[] fitted = fit(bw, w, h, height, width, allowResize, name);
        float[] out = new float[height * width];
        for (int p = 0; p < out.length; p++) {
            out[p] = white(fitted[p]) ? 1f : 0f;
        }
        return out;
    }

    /** Values per channel: {@code b / 127.5 - 1}. */
    public static float toValue(int b) {
        return b / 127.5f - 1f;
    }

    /** The trainer's gray: 0.299 R + 0.587 G + 0.114 B, rounded. */
    public static int luma(int r, int g, int b) {
        return Math.min(255, Math.round(0.299f * r + 0.587f * g + 0.114f * b));
    }

    private static boolean white(int rgb) {
        return luma(rgb >> 16 & 0xFF, rgb >> 8 & 0xFF, rgb & 0xFF) >= 128;
    }

    /** The image's pixels (packed RGB, transparent as black) at the model's size. */
    static int[] fit(BufferedImage img, int height, int width, boolean allowResize, String name) {
        return fit(pixels(img), img.getWidth(), img.getHeight(), height, width, allowResize, name);
    }

    /**
     * The stored values as packed RGB, transparent pixels composited on black. Gray images (a gray PNG, as
     * Fashion-MNIST's) are read from their raster: {@link BufferedImage#getRGB} would treat their values as linear
     * light and brighten them through the sRGB curve (a stored 96 reads as 170).
     */
    public static int[] pixels(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] rgb = new int[w * h];
        java.awt.image.ColorModel cm = img.getColorModel();
        java.awt.image.WritableRaster raster = img.getRaster();
        boolean gray = cm.getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY
                && cm.getNumColorComponents() == 1 && !(cm instanceof java.awt.image.IndexColorModel);
        int bits = gray ? cm.getComponentSize(0) : 8;
        int max = (1 << bits) - 1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r;
                int g;
                int b;
                int a;
                if (gray) {
                    int v = (int) Math.round(raster.getSample(x, y, 0) * 255.0 / max);
                    a = cm.hasAlpha() ? (int) Math.round(raster.getSample(x, y, 1) * 255.0 / max) : 255;
                    r = v;
                    g = v;
                    b = v;
                } else {
                    int argb = img.getRGB(x, y);
                    a = argb >>> 24;
                    r = argb >> 16 & 0xFF;
                    g = argb >> 8 & 0xFF;
                    b = argb & 0xFF;
                }
                rgb[y * w + x] = (r * a / 255) << 16 | (g * a / 255) << 8 | b * a / 255;
            }
        }
        return rgb;
    }

    /** Scales the shorter side to the model's and crops the centre (or refuses another size). */
    static int[] fit(int[] rgb, int w, int h, int height, int width, boolean allowResize, String name) {
        if (w == width && h == height) {
            return rgb;
        }
        if (!allowResize) {
            throw new IllegalArgumentException(name + " is " + w + "x" + h + " pixels, the model takes " + width + "x"
                    + height + " (resizing is off: --no-resize)");
        }
        double s = Math.max((double) width / w, (double) height / h);
        int sw = Math.max(width, (int) Math.round(w * s));
        int sh = Math.max(height, (int) Math.round(h * s));
        int[] scaled = ImageResizer.resize(rgb, w, h, sw, sh);
        int x0 = (sw - width) / 2;
        int y0 = (sh - height) / 2;
        int[] out = new int[width * height];
        for (int y = 0; y < height; y++) {
            System.arraycopy(scaled, (y0 + y) * sw + x0, out, y * width, width);
        }
        return out;
    }
}
