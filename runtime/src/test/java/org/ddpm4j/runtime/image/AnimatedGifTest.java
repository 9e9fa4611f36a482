package org.ddpm4j.runtime.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;

/** Our GIF writer, read back with the JDK's GIF decoder. */
class AnimatedGifTest {

    @Test
    void grayFramesRoundTripExactlyThroughTheJdkDecoder() throws IOException {
        SplittableRandom r = new SplittableRandom(3);
        // noise defeats compression, so the LZW table fills and clears several times
        BufferedImage noisy = new BufferedImage(150, 120, BufferedImage.TYPE_INT_RGB);
        BufferedImage smooth = new BufferedImage(150, 120, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 120; y++) {
            for (int x = 0; x < 150; x++) {
                int v = r.nextInt(256);
                noisy.setRGB(x, y, v * 0x010101);
                smooth.setRGB(x, y, ((x + y) % 256) * 0x010101);
            }
        }
        List<BufferedImage> back = roundTrip(List.of(noisy, smooth, noisy));
        assertEquals(3, back.size());
        for (int y = 0; y < 120; y++) {
            for (int x = 0; x < 150; x++) {
                assertEquals(noisy.getRGB(x, y) & 0xFFFFFF, back.get(0).getRGB(x, y) & 0xFFFFFF);
                assertEquals(smooth.getRGB(x, y) & 0xFFFFFF, back.get(1).getRGB(x, y) & 0xFFFFFF);
            }
        }
    }

    @Test
    void colourFramesUseTheNearestCubeColour() throws IOException {
        BufferedImage img = new BufferedImage(4, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xFF0000);
        img.setRGB(1, 0, 0x00FF00);
        img.setRGB(2, 0, 0x0000FF);
        img.setRGB(3, 0, 0x336699); // 51,102,153 -> levels 1,2,3 of 5,6,5 steps: 51,85,153
        BufferedImage back = roundTrip(List.of(img)).get(0);
        assertEquals(0xFF0000, back.getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x00FF00, back.getRGB(1, 0) & 0xFFFFFF);
        assertEquals(0x0000FF, back.getRGB(2, 0) & 0xFFFFFF);
        assertEquals(0x335599, back.getRGB(3, 0) & 0xFFFFFF);
    }

    private static List<BufferedImage> roundTrip(List<BufferedImage> frames) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AnimatedGif.write(frames, 10, 100, bytes);
        List<BufferedImage> out = new java.util.ArrayList<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
            reader.setInput(in);
            int n = reader.getNumImages(true);
            for (int i = 0; i < n; i++) {
                out.add(reader.read(i));
            }
        }
        return out;
    }
}
