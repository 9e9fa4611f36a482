package org.ddpm4j.runtime.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputImagesTest {

    @TempDir
    Path dir;

    private static BufferedImage image(int w, int h, java.util.function.IntBinaryOperator rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb.applyAsInt(x, y));
            }
        }
        return img;
    }

    @Test
    void aModelSizedImageIsTakenByteForByte() {
        BufferedImage img = image(4, 4, (x, y) -> (x * 60 + y) * 0x010101);
        float[] t = InputImages.toTensor(img, 1, 4, 4, false, "a.png");
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                assertEquals(x * 60 + y, ImageTensors.toByte(t[y * 4 + x]));
            }
        }
        // every byte survives the trip to a model value and back
        for (int b = 0; b < 256; b++) {
            assertEquals(b, ImageTensors.toByte(InputImages.toValue(b)));
        }
    }

    @Test
    void colourBecomesLumaOrThreeChannels() {
        BufferedImage img = image(2, 1, (x, y) -> x == 0 ? 0xFF0000 : 0x0000FF);
        float[] gray = InputImages.toTensor(img, 1, 1, 2, false, "c.png");
        assertEquals(76, ImageTensors.toByte(gray[0])); // 0.299 * 255
        assertEquals(29, ImageTensors.toByte(gray[1])); // 0.114 * 255
        float[] rgb = InputImages.toTensor(img, 3, 1, 2, false, "c.png");
        assertArrayEquals(new float[] {1, -1, -1, -1, -1, 1}, rgb);
    }

    @Test
    void resizingAveragesWhenShrinkingAndKeepsAConstantImage() {
        // 2x2 blocks: halving puts the triangle over pixels 2i-1 .. 2i+2 with weights 1/8, 3/8, 3/8, 1/8, so each
        // block keeps 3/4 of its own value and takes 1/8 of each neighbour block per axis (edges clamped)
        BufferedImage blocks = image(8, 8, (x, y) -> ((x / 2 + 4 * (y / 2)) * 16) * 0x010101);
        float[] t = InputImages.toTensor(blocks, 1, 4, 4, true, "b.png");
        double[] w = {0.125, 0.75, 0.125};
        for (int by = 0; by < 4; by++) {
            for (int bx = 0; bx < 4; bx++) {
                double expected = 0;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int cx = Math.max(0, Math.min(3, bx + dx));
                        int cy = Math.max(0, Math.min(3, by + dy));
                        expected += w[dx + 1] * w[dy + 1] * (cx + 4 * cy) * 16;
                    }
                }
                assertEquals((int) Math.round(expected), ImageTensors.toByte(t[by * 4 + bx]), bx + "," + by);
            }
        }
        float[] flat = InputImages.toTensor(image(37, 23, (x, y) -> 0x7B7B7B), 1, 8, 8, true, "f.png");
        for (float v : flat) {
            assertEquals(0x7B, ImageTensors.toByte(v));
        }
    }

    @Test
    void anotherAspectIsScaledToCoverAndCroppedAtTheCentre() {
        // 16x8: left quarter black, centre white, right quarter black; the 8x8 crop is the white centre
        BufferedImage img = image(16, 8, (x, y) -> x < 4 || x >= 12 ? 0 : 0xFFFFFF);
        float[] t = InputImages.toTensor(img, 1, 8, 8, true, "w.png");
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                assertEquals(255, ImageTensors.toByte(t[y * 8 + x]), x + "," + y);
            }
        }
    }

    @Test
    void noResizeRefusesAnotherSizeWithBothSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InputImages.toTensor(image(64, 48, (x, y) -> 0), 1, 32, 32, false, "big.png"));
        assertEquals("big.png is 64x48 pixels, the model takes 32x32 (resizing is off: --no-resize)", e.getMessage());
    }

    @Test
    void masksAreThresholdedAtHalf() {
        BufferedImage img = image(4, 1, (x, y) -> new int[] {0x000000, 0x7F7F7F, 0x808080, 0xFFFFFF}[x]);
        assertArrayEquals(new float[] {0, 0, 1, 1}, InputImages.toMask(img, 1, 4, false, "m.png"));
        // resized: still only 0 and 1
        BufferedImage big = image(9, 9, (x, y) -> x >= 4 ? 0xFFFFFF : 0x202020);
        float[] m = InputImages.toMask(big, 4, 4, true, "m.png");
        for (float v : m) {
            assertTrue(v == 0f || v == 1f);
        }
        assertEquals(0f, m[0]);
        assertEquals(1f, m[3]);
    }

    /** A gray PNG (as Fashion-MNIST's) gives its stored values, not getRGB's sRGB-brightened ones. */
    @Test
    void grayImagesKeepTheirStoredValues() throws IOException {
        BufferedImage gray = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_GRAY);
        int[] values = {0, 96, 200, 255};
        for (int x = 0; x < 4; x++) {
            gray.getRaster().setSample(x, 0, 0, values[x]);
        }
        Path png = dir.resolve("gray.png");
        ImageIO.write(gray, "png", png.toFile());
        BufferedImage read = InputImages.read(png);
        assertTrue((read.getRGB(1, 0) & 0xFF) > 150, "getRGB brightens a stored 96: " + (read.getRGB(1, 0) & 0xFF));
        float[] t = InputImages.toTensor(read, 1, 1, 4, false, "gray.png");
        for (int x = 0; x < 4; x++) {
            assertEquals(values[x], ImageTensors.toByte(t[x]));
        }
        assertArrayEquals(new float[] {0, 0, 1, 1}, InputImages.toMask(read, 1, 4, false, "gray.png"));
    }

    @Test
    void readsFilesAndNamesWhatIsWrong() throws IOException {
        Path png = dir.resolve("a.png");
        ImageIO.write(image(3, 2, (x, y) -> 0x102030), "png", png.toFile());
        assertEquals(3, InputImages.read(png).getWidth());
        assertThrows(NoSuchFileException.class, () -> InputImages.read(dir.resolve("missing.png")));
        Path text = Files.writeString(dir.resolve("t.png"), "not an image");
        IOException e = assertThrows(IOException.class, () -> InputImages.read(text));
        assertTrue(e.getMessage().contains("t.png: not a PNG, JPEG, GIF or BMP image"), e.getMessage());
    }
}
