package org.ddpm4j.fid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSourcesTest {

    @TempDir
    Path dir;

    @Test
    void readsGrayAndRgbPngsFromAFolderTree() throws IOException {
        BufferedImage gray = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(1, 0, 0, 51);
        gray.getRaster().setSample(2, 1, 0, 255);
        BufferedImage rgb = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, 0xff0000);
        rgb.setRGB(1, 1, 0x0000ff);
        Files.createDirectories(dir.resolve("b"));
        ImageIO.write(gray, "png", dir.resolve("a.png").toFile());
        ImageIO.write(rgb, "png", dir.resolve("b/c.PNG").toFile());
        Files.writeString(dir.resolve("notes.txt"), "ignored");
        try (FolderImageSource src = new FolderImageSource(dir)) {
            assertEquals(2, src.size());
            List<FidImage> images = src.next(10);
            assertEquals(2, images.size());
            FidImage g = images.get(0);
            assertEquals(1, g.channels());
            assertArrayEquals(new float[] {0, 0.2f, 0, 0, 0, 1}, g.pixels(), 1e-6f);
            FidImage c = images.get(1);
            assertEquals(3, c.channels());
            assertArrayEquals(new float[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, c.pixels(), 1e-6f);
            assertTrue(src.next(10).isEmpty());
        }
    }

    @Test
    void folderErrorsAreClear() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        IOException e = assertThrows(IOException.class, () -> new FolderImageSource(empty));
        assertTrue(e.getMessage().contains("no PNG or JPEG"), e.getMessage());
        Path broken = Files.createDirectories(dir.resolve("broken"));
        Files.writeString(broken.resolve("x.png"), "not png");
        try (FolderImageSource src = new FolderImageSource(broken)) {
            e = assertThrows(IOException.class, () -> src.next(1));
            assertTrue(e.getMessage().contains("x.png"), e.getMessage());
        }
    }

    @Test
    void readsGzippedIdxImages() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(bytes))) {
            out.writeInt(0x803);
            out.writeInt(3);
            out.writeInt(2);
            out.writeInt(2);
            for (int i = 0; i < 12; i++) {
                out.writeByte(i * 20);
            }
        }
        Files.write(dir.resolve("t10k-images-idx3-ubyte.gz"), bytes.toByteArray());
        try (IdxImageSource src = IdxImageSource.fashionMnist(dir, "test")) {
            assertEquals(3, src.size());
            List<FidImage> first = src.next(2);
            assertEquals(2, first.size());
            assertArrayEquals(new float[] {80 / 255f, 100 / 255f, 120 / 255f, 140 / 255f}, first.get(1).pixels(), 1e-6f);
            assertEquals(1, src.next(5).size());
            assertTrue(src.next(5).isEmpty());
        }
        Path bad = dir.resolve("bad");
        try (OutputStream o = Files.newOutputStream(bad)) {
            o.write(new byte[] {0, 0, 8, 1, 0, 0, 0, 1});
        }
        IOException e = assertThrows(IOException.class, () -> new IdxImageSource(bad));
        assertTrue(e.getMessage().contains("0x00000803") && e.getMessage().contains("00000801"), e.getMessage());
    }

    @Test
    void parsesImageSetNames() throws IOException {
        Path mnist = Path.of("/data/fm");
        assertEquals(new ImageSet.FashionMnist("test", mnist), ImageSet.parse("fashion-mnist-test", mnist));
        assertEquals(new ImageSet.Folder(dir), ImageSet.parse(dir.toString(), mnist));
        assertEquals(new ImageSet.Stats(Path.of("x.fidstats")), ImageSet.parse("x.fidstats", mnist));
        assertEquals(new ImageSet.Noise(500, 0, 28, 28, 3), ImageSet.parse("noise:n=500&seed=3&size=28", mnist));
        assertEquals(new ImageSet.ModelSamples(Path.of("m.onnx"), "ddim", 20, 100, 7, 0.0),
                ImageSet.parse("model:m.onnx?sampler=ddim&steps=20&n=100&seed=7", mnist));
        ImageSet.ModelSamples ddpm = assertInstanceOf(ImageSet.ModelSamples.class,
                ImageSet.parse("model:m.onnx?sampler=ddpm", mnist));
        assertEquals(1000, ddpm.steps());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageSet.parse("model:m.onnx?sampler=ddim&stpes=20", mnist));
        assertTrue(e.getMessage().contains("unknown key 'stpes'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ImageSet.parse("no-such-thing", mnist));
        assertTrue(e.getMessage().contains("fashion-mnist-test") && e.getMessage().contains("no-such-thing"),
                e.getMessage());
    }
}
