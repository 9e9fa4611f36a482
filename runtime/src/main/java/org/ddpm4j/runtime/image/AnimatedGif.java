package org.ddpm4j.runtime.image;

import org.ddpm4j.runtime.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A small animated-GIF writer (GIF89a), for the reverse process as a movie. Commons Imaging 1.0
 * writes single-frame GIFs only, hence this class.
 *
 * <p>Layout written: header {@code GIF89a}; logical screen descriptor with a 256-entry global colour
 * table; the {@code NETSCAPE2.0} application extension (loop forever); per frame a graphic control
 * extension (delay in 1/100 s, disposal "leave in place") and an image descriptor followed by the
 * LZW-compressed indices (minimum code size 8, variable code width 9-12 bits, a clear code when the
 * 4096-entry table fills, packed into sub-blocks of at most 255 bytes); trailer {@code ;}.
 *
 * <p>Colours: when every frame is gray the palette is the 256 gray levels (lossless for our
 * single-channel samples); otherwise a fixed 6x7x6 RGB cube (252 colours), each pixel mapped to the
 * nearest cube entry.
 */
public final class AnimatedGif {

    private static final int MAX_CODES = 4096;

    private AnimatedGif() {
    }

    /**
     * Writes the frames (all of the first frame's size) as a looping animation, atomically.
     *
     * @param delayCentis delay between frames in 1/100 s
     * @param lastHoldCentis how long the last frame stays before the loop restarts
     */
    public static void write(List<BufferedImage> frames, int delayCentis, int lastHoldCentis, Path file)
            throws IOException {
        AtomicFiles.write(file, os -> write(frames, delayCentis, lastHoldCentis, os));
    }

    /** Writes the animation to a stream. */
    public static void write(List<BufferedImage> frames, int delayCentis, int lastHoldCentis, OutputStream os)
            throws IOException {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("an animation needs at least one frame");
        }
        int w = frames.get(0).getWidth();
        int h = frames.get(0).getHeight();
        if (w > 0xFFFF || h > 0xFFFF) {
            throw new IllegalArgumentException("GIF frames are at most 65535 pixels wide and high, found " + w + "x" + h);
        }
        boolean gray = frames.stream().allMatch(AnimatedGif::isGray);
        os.write("GIF89a".getBytes(StandardCharsets.US_ASCII));
        short16(os, w);
        short16(os, h);
        os.write(0xF7); // global colour table, 8 bits colour resolution, 256 entries
        os.write(0);    // background colour index
        os.write(0);    // pixel aspect ratio
        for (int i = 0; i < 256; i++) {
            int rgb = gray ? i * 0x010101 : cubeColor(i);
            os.write(rgb >> 16 & 0xFF);
            os.write(rgb >> 8 & 0xFF);
            os.write(rgb & 0xFF);
        }
        os.write(new byte[] {0x21, (byte) 0xFF, 0x0B});
        os.write("NETSCAPE2.0".getBytes(StandardCharsets.US_ASCII));
        os.write(new byte[] {0x03, 0x01, 0x00, 0x00, 0x00}); // loop count 0 = forever
        for (int f = 0; f < frames.size(); f++) {
            BufferedImage img = frames.get(f);
            if (img.getWidth() != w || img.getHeight() != h) {
                throw new IllegalArgumentException("frame " + f + " is " + img.getWidth() + "x" + img.getHeight()
                        + ", expected " + w + "x" + h);
            }
            int delay = f == frames.size() - 1 ? lastHoldCentis : delayCentis;
            os.write(new byte[] {0x21, (byte) 0xF9, 0x04, 0x04}); // graphic control: disposal 1, no transparency
            short16(os, delay);
            os.write(new byte[] {0x00, 0x00});
            os.write(0x2C); // image descriptor
            short16(os, 0);
            short16(os, 0);
            short16(os, w);
            short16(os, h);
            os.write(0x00); // no local colour table, not interlaced
            os.write(8);    // LZW minimum code size
            writeSubBlocks(os, lzw(indices(img, gray)));
        }
        os.write(0x3B);
    }

    private static boolean isGray(BufferedImage img) {
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                int r = p >> 16 & 0xFF;
                if (r != (p >> 8 & 0xFF) || r != (p & 0xFF)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Entry i of the 6x7x6 cube (entries 252..255 are black). */
    static int cubeColor(int i) {
        if (i >= 252) {
            return 0;
        }
        int r = i / 42;
        int g = i / 6 % 7;
        int b = i % 6;
        return (r * 255 / 5) << 16 | (g * 255 / 6) << 8 | b * 255 / 5;
    }

    private static byte[] indices(BufferedImage img, boolean gray) {
        int w = img.getWidth();
        byte[] out = new byte[w * img.getHeight()];
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < w; x++) {
                int p = img.getRGB(x, y);
                int r = p >> 16 & 0xFF;
                int g = p >> 8 & 0xFF;
                int b = p & 0xFF;
                out[y * w + x] = (byte) (gray ? r
                        : Math.round(r * 5 / 255f) * 42 + Math.round(g * 6 / 255f) * 6 + Math.round(b * 5 / 255f));
            }
        }
        return out;
    }

    /** GIF LZW over 8-bit indices: clear = 256, end = 257, codes 9..12 bits, least significant bit first. */
    static byte[] lzw(byte[] pixels) {
        final int clear = 256;
        final int end = 257;
        BitWriter bits = new BitWriter();
        int[] table = new int[MAX_CODES << 8]; // (prefix code << 8 | next byte) -> code + 1, 0 = absent
        int codeSize = 9;
        int next = end + 1;
        bits.write(clear, codeSize);
        int prefix = pixels[0] & 0xFF;
        for (int i = 1; i < pixels.length; i++) {
            int c = pixels[i] & 0xFF;
            int key = prefix << 8 | c;
            int code = table[key];
            if (code != 0) {
                prefix = code - 1;
                continue;
            }
            bits.write(prefix, codeSize);
            if (next >= 1 << codeSize && codeSize < 12) {
                codeSize++;
            }
            if (next < MAX_CODES) {
                table[key] = ++next; // stores next+1 for the code just assigned (next before increment)
            } else {
                bits.write(clear, codeSize);
                java.util.Arrays.fill(table, 0);
                codeSize = 9;
                next = end + 1;
            }
            prefix = c;
        }
        bits.write(prefix, codeSize);
        if (next >= 1 << codeSize && codeSize < 12) {
            codeSize++;
        }
        bits.write(end, codeSize);
        return bits.toByteArray();
    }

    private static void writeSubBlocks(OutputStream os, byte[] data) throws IOException {
        for (int off = 0; off < data.length; off += 255) {
            int n = Math.min(255, data.length - off);
            os.write(n);
            os.write(data, off, n);
        }
        os.write(0);
    }

    private static void short16(OutputStream os, int v) throws IOException {
        os.write(v & 0xFF);
        os.write(v >> 8 & 0xFF);
    }

    /** Packs codes least significant bit first. */
    private static final class BitWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int acc;
        private int count;

        void write(int code, int size) {
            acc |= code << count;
            count += size;
            while (count >= 8) {
                out.write(acc & 0xFF);
                acc >>>= 8;
                count -= 8;
            }
        }

        byte[] toByteArray() {
            if (count > 0) {
                out.write(acc & 0xFF);
                acc = 0;
                count = 0;
            }
            return out.toByteArray();
        }
    }
}
