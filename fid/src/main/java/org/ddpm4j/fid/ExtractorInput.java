package org.ddpm4j.fid;

/**
 * What a feature extractor takes as input, and the conversion of any {@link FidImage} into it:
 * an image larger by an even margin of 2 to 8 pixels on both axes (at most a quarter of the input
 * size) is centre-cropped (it undoes the
 * trainer's padding of 28x28 Fashion-MNIST to 32x32, so model samples are compared with the data at
 * the data's scale), any other size is resized bilinearly to the input size (half-pixel centres, as
 * {@code align_corners=False}), gray
 * repeated to RGB or RGB averaged to gray, and [0, 1] mapped into the input range.
 *
 * @param channels input channels, 1 or 3
 * @param height   input height
 * @param width    input width
 * @param range    the value range the extractor expects
 */
public record ExtractorInput(int channels, int height, int width, InputRange range) {

    /** Validates the shape. */
    public ExtractorInput {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("extractor input must have 1 or 3 channels, found " + channels);
        }
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("extractor input size must be positive, found " + height + "x" + width);
        }
    }

    /** Whether an {@code h x w} image is this input padded evenly by 1 to 4 pixels a side (as the trainer pads). */
    private boolean isPadded(int h, int w) {
        int dy = h - height;
        int dx = w - width;
        return dy == dx && dy >= 2 && dy <= 8 && dy % 2 == 0 && 4 * dy <= Math.min(height, width);
    }

    private static float[] centreCrop(float[] src, int channels, int h, int w, int outH, int outW) {
        int top = (h - outH) / 2;
        int left = (w - outW) / 2;
        float[] out = new float[channels * outH * outW];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < outH; y++) {
                System.arraycopy(src, (c * h + top + y) * w + left, out, (c * outH + y) * outW, outW);
            }
        }
        return out;
    }

    /** Values per image, {@code channels * height * width}. */
    public int imageSize() {
        return channels * height * width;
    }

    /** Writes {@code image}, converted, into {@code dst} from {@code offset} ({@link #imageSize()} values). */
    public void write(FidImage image, float[] dst, int offset) {
        float[] resized = isPadded(image.height(), image.width())
                ? centreCrop(image.pixels(), image.channels(), image.height(), image.width(), height, width)
                : resizeBilinear(image.pixels(), image.channels(), image.height(), image.width(), height, width);
        int plane = height * width;
        int srcChannels = image.channels();
        for (int c = 0; c < channels; c++) {
            int o = offset + c * plane;
            if (srcChannels == channels) {
                int s = c * plane;
                for (int p = 0; p < plane; p++) {
                    dst[o + p] = range.map(resized[s + p]);
                }
            } else if (srcChannels == 1) {
                for (int p = 0; p < plane; p++) {
                    dst[o + p] = range.map(resized[p]);
                }
            } else {
                float inv = 1f / srcChannels;
                for (int p = 0; p < plane; p++) {
                    float sum = 0;
                    for (int k = 0; k < srcChannels; k++) {
                        sum += resized[k * plane + p];
                    }
                    dst[o + p] = range.map(sum * inv);
                }
            }
        }
    }

    /**
     * Bilinear resize of a CHW image with half-pixel centres ({@code align_corners=False}), no
     * anti-aliasing; returns the input itself when the size already matches.
     */
    public static float[] resizeBilinear(float[] src, int channels, int h, int w, int outH, int outW) {
        if (h == outH && w == outW) {
            return src;
        }
        float[] out = new float[channels * outH * outW];
        double sy = (double) h / outH;
        double sx = (double) w / outW;
        int[] x0 = new int[outW];
        int[] x1 = new int[outW];
        float[] fx = new float[outW];
        for (int x = 0; x < outW; x++) {
            double px = Math.max(0.0, (x + 0.5) * sx - 0.5);
            x0[x] = Math.min((int) px, w - 1);
            x1[x] = Math.min(x0[x] + 1, w - 1);
            fx[x] = (float) (px - x0[x]);
        }
        for (int c = 0; c < channels; c++) {
            int sBase = c * h * w;
            int oBase = c * outH * outW;
            for (int y = 0; y < outH; y++) {
                double py = Math.max(0.0, (y + 0.5) * sy - 0.5);
                int y0 = Math.min((int) py, h - 1);
                int y1 = Math.min(y0 + 1, h - 1);
                float fy = (float) (py - y0);
                int r0 = sBase + y0 * w;
                int r1 = sBase + y1 * w;
                for (int x = 0; x < outW; x++) {
                    float top = src[r0 + x0[x]] + (src[r0 + x1[x]] - src[r0 + x0[x]]) * fx[x];
                    float bottom = src[r1 + x0[x]] + (src[r1 + x1[x]] - src[r1 + x0[x]]) * fx[x];
                    out[oBase + y * outW + x] = top + (bottom - top) * fy;
                }
            }
        }
        return out;
    }
}
