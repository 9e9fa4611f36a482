package org.ddpm4j.trainer.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabeledImagesTest {

    @TempDir
    Path dir;

    static void writeIdx(Path dir, String prefix, byte[][] images, int side, int[] labels, boolean gzip)
            throws IOException {
        String suffix = gzip ? ".gz" : "";
        try (OutputStream raw = Files.newOutputStream(dir.resolve(prefix + "-images-idx3-ubyte" + suffix));
                DataOutputStream out = new DataOutputStream(gzip ? new GZIPOutputStream(raw) : raw)) {
            out.writeInt(0x803);
            out.writeInt(images.length);
            out.writeInt(side);
            out.writeInt(side);
            for (byte[] img : images) {
                out.write(img);
            }
        }
        try (OutputStream raw = Files.newOutputStream(dir.resolve(prefix + "-labels-idx1-ubyte" + suffix));
                DataOutputStream out = new DataOutputStream(gzip ? new GZIPOutputStream(raw) : raw)) {
            out.writeInt(0x801);
            out.writeInt(labels.length);
            for (int l : labels) {
                out.write(l);
            }
        }
    }

    @Test
    void readsGzippedImagesWithTheirLabels() throws IOException {
        byte[][] imgs = {{0, (byte) 255, 1, 2}, {3, 4, 5, 6}, {7, 8, 9, 10}};
        writeIdx(dir, "t10k", imgs, 2, new int[] {9, 0, 3}, true);
        LabeledImages d = LabeledImages.readIdx(dir, LabeledImages.Split.TEST);
        assertEquals(3, d.size());
        assertArrayEquals(new int[] {9, 0, 3}, d.labels());
        assertEquals(10, d.classCount());
        float[] px = new float[4];
        d.read(0, px, 0);
        assertArrayEquals(new float[] {0f, 1f, 1 / 255f, 2 / 255f}, px, 1e-7f);
    }

    @Test
    void namesWhatIsMissingOrWrong() throws IOException {
        IOException missing = assertThrows(IOException.class, () -> LabeledImages.readIdx(dir, LabeledImages.Split.TRAIN));
        assertTrue(missing.getMessage().contains("train-images-idx3-ubyte"), missing.getMessage());
        writeIdx(dir, "train", new byte[][] {{1, 2, 3, 4}, {5, 6, 7, 8}}, 2, new int[] {1}, false);
        IOException count = assertThrows(IOException.class, () -> LabeledImages.readIdx(dir, LabeledImages.Split.TRAIN));
        assertTrue(count.getMessage().contains("1 labels") && count.getMessage().contains("2 images"), count.getMessage());
        Path bad = dir.resolve("bad-labels");
        Files.write(bad, new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 5});
        IOException magic = assertThrows(IOException.class, () -> org.ddpm4j.runtime.io.IdxImages.readLabels(bad));
        assertTrue(magic.getMessage().contains("0x00000801"), magic.getMessage());
    }
}
