package org.ddpm4j.trainer.data;

import org.ddpm4j.runtime.io.IdxImages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

    /** Writes an IDX image file of {@code n} 28x28 images whose pixel (y, x) is (i + y + x) % 256. */
    static void writeIdx(Path file, int n, boolean gzip, int declared) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
                OutputStream os = gzip ? new GZIPOutputStream(raw) : raw;
                DataOutputStream out = new DataOutputStream(os)) {
            out.writeInt(IdxImages.MAGIC_IMAGES);
            out.writeInt(declared);
            out.writeInt(28);
            out.writeInt(28);
            for (int i = 0; i < n; i++) {
                for (int y = 0; y < 28; y++) {
                    for (int x = 0; x < 28; x++) {
                        out.writeByte((i + y + x) % 256);
                    }
                }
            }
        }
    }

    @Test
    void grayPngsKeepTheirStoredValues(@TempDir Path dir) throws Exception {
        // Fashion-MNIST written out as gray PNGs: Java2D reads a gray value as linear light (96 as 170)
        BufferedImage gray = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                gray.getRaster().setSample(x, y, 0, x < 8 ? 96 : 200);
            }
        }
        Path folder = Files.createDirectories(dir.resolve("gray"));
        ImageIO.write(gray, "png", folder.resolve("a.png").toFile());
        ImageDataset data = Datasets.open(folder.toString(), 16, 1, null);
        float[] x = new float[16 * 16];
        data.read(0, false, x, 0);
        assertEquals(96 / 127.5f - 1, x[0], 1e-6f, "left half, stored 96");
        assertEquals(200 / 127.5f - 1, x[15], 1e-6f, "right half, stored 200");
    }

    @Test
    void idxImagesArePaddedTo32WithBackground(@TempDir Path dir) throws IOException {
        writeIdx(dir.resolve("train-images-idx3-ubyte.gz"), 3, true, 3);
        ImageDataset d = Datasets.open(dir.toString(), 32, 1, null);
        assertEquals(3, d.size());
        float[] img = new float[32 * 32];
        d.read(2, false, img, 0);
        assertEquals(-1f, img[0], 0f); // padding is background 0 -> -1
        assertEquals(-1f, img[31 * 32 + 31], 0f);
        assertEquals(2 / 127.5f - 1f, img[2 * 32 + 2], 1e-6f); // pixel (0,0) of image 2 lands at (2,2)
        assertEquals((2 + 27) / 127.5f - 1f, img[2 * 32 + 29], 1e-6f);
        float[] flipped = new float[32 * 32];
        d.read(2, true, flipped, 0);
        assertEquals(img[2 * 32 + 29], flipped[2 * 32 + 2], 0f);
    }

    @Test
    void uncompressedIdxFileWorksAndTruncationIsReported(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("train-images-idx3-ubyte");
        writeIdx(f, 2, false, 2);
        assertEquals(2, Datasets.open(f.toString(), 28, 3, null).size());
        writeIdx(f, 2, false, 5);
        IOException e = assertThrows(IOException.class, () -> Datasets.open(dir.toString(), 28, 1, null));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void imageFoldersAreResizedCroppedAndBadFilesSkipped(@TempDir Path dir) throws IOException {
        Path cls = dir.resolve("train/n01/images");
        Files.createDirectories(cls);
        for (int i = 0; i < 3; i++) {
            BufferedImage img = new BufferedImage(48, 40, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(new Color(200, 10, 10));
            g.fillRect(0, 0, 48, 40);
            g.dispose();
            ImageIO.write(img, i == 0 ? "png" : i == 1 ? "jpeg" : "bmp", cls.resolve("img" + i + (i == 0 ? ".png" : i == 1 ? ".JPEG" : ".bmp")).toFile());
        }
        Files.writeString(cls.resolve("broken.png"), "not an image");
        Files.writeString(dir.resolve("notes.txt"), "ignored");
        ImageDataset rgb = Datasets.open(dir.toString(), 16, 3, null);
        assertEquals(3, rgb.size());
        assertEquals(1, rgb.skipped());
        float[] x = new float[3 * 16 * 16];
        rgb.read(0, false, x, 0);
        assertEquals(200 / 127.5f - 1f, x[5], 0.05f);
        assertEquals(10 / 127.5f - 1f, x[256 + 5], 0.05f);
        ImageDataset gray = Datasets.open(dir.toString(), 8, 1, null);
        float[] y = new float[64];
        gray.read(0, false, y, 0);
        double luma = 0.299 * 200 + 0.587 * 10 + 0.114 * 10;
        assertEquals(luma / 127.5 - 1, y[10], 0.05);
    }

    @Test
    void missingEmptyAndUnreadableDataSetsSayWhereTheyLooked(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("nope");
        IOException e1 = assertThrows(IOException.class, () -> Datasets.open(missing.toString(), 16, 1, null));
        assertTrue(e1.getMessage().contains(missing.toString()), e1.getMessage());
        Path empty = Files.createDirectories(dir.resolve("empty"));
        IOException e2 = assertThrows(IOException.class, () -> Datasets.open(empty.toString(), 16, 1, null));
        assertTrue(e2.getMessage().contains("no images found in " + empty), e2.getMessage());
        Path bad = Files.createDirectories(dir.resolve("bad"));
        Files.writeString(bad.resolve("a.jpg"), "garbage");
        IOException e3 = assertThrows(IOException.class, () -> Datasets.open(bad.toString(), 16, 1, null));
        assertTrue(e3.getMessage().contains("could be read") && e3.getMessage().contains("a.jpg"), e3.getMessage());
        Path corruptIdx = dir.resolve("c");
        Files.createDirectories(corruptIdx);
        Files.write(corruptIdx.resolve("train-images-idx3-ubyte.gz"), new byte[] {0x1f, (byte) 0x8b, 1, 2, 3});
        IOException e4 = assertThrows(IOException.class, () -> Datasets.open(corruptIdx.toString(), 32, 1, null));
        assertTrue(e4.getMessage().contains("train-images-idx3-ubyte.gz"), e4.getMessage());
    }
}
