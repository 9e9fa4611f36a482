package org.ddpm4j.runtime.image;

/**
 * The runtime's image resizer: a separable triangle (bilinear) filter on 8-bit RGB, widened by the scale factor
 * when shrinking so that every source pixel contributes (the antialiased bilinear filter of Pillow's
 * {@code Image.resize(..., BILINEAR)}); enlarging is plain bilinear interpolation. Pixel centres are aligned
 * ({@code src = (dst + 0.5) / scale - 0.5}), edges are clamped, and each channel is rounded to the nearest byte.
 * The result never leaves the range of its input, so a black-and-white image stays within black and white.
 */
public final class ImageResizer {

    /** The filter's name, as images record it. */
    public static final String FILTER = "bilinear (triangle, antialiased when shrinking)";

    private ImageResizer() {
    }

    /**
     * Resizes packed RGB pixels ({@code 0xRRGGBB}, row-major).
     *
     * @return {@code height * width} packed pixels
     */
    public static int[] resize(int[] rgb, int srcWidth, int srcHeight, int width, int height) {
        if (rgb.length != srcWidth * srcHeight || width < 1 || height < 1) {
            throw new IllegalArgumentException("cannot resize " + rgb.length + " pixels as " + srcWidth + "x"
                    + srcHeight + " to " + width + "x" + height);
        }
        if (srcWidth == width && srcHeight == height) {
            return rgb.clone();
        }
        float[][] channels = new float[3][srcWidth * srcHeight];
        for (int p = 0; p < rgb.length; p++) {
            channels[0][p] = rgb[p] >> 16 & 0xFF;
            channels[1][p] = rgb[p] >> 8 & 0xFF;
            channels[2][p] = rgb[p] & 0xFF;
        }
        int[] out = new int[width * height];
        for (int c = 0; c < 3; c++) {
            float[] rows = horizontal(channels[c], srcWidth, srcHeight, width);
            float[] done = vertical(rows, width, srcHeight, height);
            for (int p = 0; p < out.length; p++) {
                int v = Math.round(done[p]);
                v = v < 0 ? 0 : Math.min(255, v);
                out[p] |= v << (16 - 8 * c);
            }
        }
        return out;
    }

    private static float[] horizontal(float[] src, int sw, int sh, int dw) {
        float[] out = new float[dw * sh];
        Weights w = weights(sw, dw);
        for (int y = 0; y < sh; y++) {
            for (int x = 0; x < dw; x++) {
                double acc = 0;
                for (int k = 0; k < w.count[x]; k++) {
                    acc += w.weight[x][k] * src[y * sw + w.first[x] + k];
                }
                out[y * dw + x] = (float) acc;
            }
        }
        return out;
    }

    private static float[] vertical(float[] src, int w, int sh, int dh) {
        float[] out = new float[w * dh];
        Weights wt = weights(sh, dh);
        for (int y = 0; y < dh; y++) {
            for (int x = 0; x < w; x++) {
                double acc = 0;
                for (int k = 0; k < wt.count[y]; k++) {
                    acc += wt.weight[y][k] * src[(wt.first[y] + k) * w + x];
                }
                out[y * w + x] = (float) acc;
            }
        }
        return out;
    }

    private record Weights(int[] first, int[] count, double[][] weight) {
    }

    /** Normalised triangle weights of each output position over the input positions it covers. */
    private static Weights weights(int in, int out) {
        double scale = (double) in / out;
        double support = Math.max(1.0, scale); // triangle radius in input pixels
        int[] first = new int[out];
        int[] count = new int[out];
        double[][] weight = new double[out][];
        for (int i = 0; i < out; i++) {
            double centre = (i + 0.5) * scale - 0.5;
            int lo = (int) Math.floor(centre - support);
            int hi = (int) Math.ceil(centre + support);
            double[] w = new double[hi - lo + 1];
            double sum = 0;
            for (int j = lo; j <= hi; j++) {
                double d = Math.abs(j - centre) / support;
                double v = Math.max(0.0, 1.0 - d);
                w[j - lo] = v;
                sum += v;
            }
            // fold taps outside the image onto the edge pixels (clamping)
            int a = Math.max(0, lo);
            int b = Math.min(in - 1, hi);
            double[] folded = new double[b - a + 1];
            for (int j = lo; j <= hi; j++) {
                int c = Math.max(a, Math.min(b, j));
                folded[c - a] += w[j - lo] / sum;
            }
            first[i] = a;
            count[i] = folded.length;
            weight[i] = folded;
        }
        return new Weights(first, count, weight);
    }
}
