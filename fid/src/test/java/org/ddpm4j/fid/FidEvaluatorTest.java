package org.ddpm4j.fid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FidEvaluatorTest {

    @TempDir
    Path dir;

    private Path blobs(String name, int count, double brightness, long seed) throws IOException {
        Path folder = dir.resolve(name);
        java.nio.file.Files.createDirectories(folder);
        Random rnd = new Random(seed);
        for (int k = 0; k < count; k++) {
            BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    double v = brightness * Math.exp(-((x - 3.5) * (x - 3.5) + (y - 3.5) * (y - 3.5)) / 8) + 0.1 * rnd.nextDouble();
                    img.getRaster().setSample(x, y, 0, (int) Math.round(255 * Math.min(1, v)));
                }
            }
            ImageIO.write(img, "png", folder.resolve(String.format("%03d.png", k)).toFile());
        }
        return folder;
    }

    @Test
    void comparesFoldersNoiseAndSavedStatistics() throws IOException {
        Path ex = TinyOnnx.extractor(dir.resolve("e.onnx"), new long[] {-1, 1, 2, 2}, Map.of());
        Path bright = blobs("bright", 24, 0.9, 1);
        Path dim = blobs("dim", 24, 0.5, 2);
        try (OnnxFeatureExtractor extractor = OnnxFeatureExtractor.open(ex, "features")) {
            FidEvaluator fid = FidEvaluator.builder().optExtractor(extractor).optBatchSize(5).build();
            FeatureStatistics a = fid.statistics(new ImageSet.Folder(bright));
            assertEquals(24, a.count());
            assertEquals(4, a.dim());
            assertEquals(0.0, FrechetDistance.between(a, a).fid(), 1e-9);
            double brightVsDim = fid.fid(new ImageSet.Folder(bright), new ImageSet.Folder(dim)).fid();
            double brightVsNoise = fid.fid(new ImageSet.Folder(bright), new ImageSet.Noise(24, 0, 0, 0, 0)).fid();
            assertTrue(brightVsDim > 0.01, "bright vs dim " + brightVsDim);
            assertTrue(brightVsNoise > brightVsDim, "noise " + brightVsNoise + " should be farther than " + brightVsDim);

            Path saved = dir.resolve("bright.fidstats");
            FidStatsFile.write(a, saved);
            assertEquals(0.0, fid.fid(new ImageSet.Stats(saved), new ImageSet.Folder(bright)).fid(), 1e-9);

            FidEvaluator limited = FidEvaluator.builder().optExtractor(extractor).optLimit(10).build();
            assertEquals(10, limited.statistics(new ImageSet.Folder(bright)).count());
        }
        // statistics from another extractor are refused
        Path other = TinyOnnx.extractor(dir.resolve("other.onnx"), new long[] {-1, 1, 2, 2}, Map.of("fid.input_range", "-1,1"));
        try (OnnxFeatureExtractor extractor = OnnxFeatureExtractor.open(other, "features")) {
            FidEvaluator fid = FidEvaluator.builder().optExtractor(extractor).build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> fid.statistics(new ImageSet.Stats(dir.resolve("bright.fidstats"))));
            assertTrue(e.getMessage().contains("recompute"), e.getMessage());
        }
    }

    @Test
    void needsAnExtractorForImages() throws IOException {
        Path folder = blobs("few", 3, 0.9, 3);
        FidEvaluator fid = FidEvaluator.builder().build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> fid.statistics(new ImageSet.Folder(folder)));
        assertTrue(e.getMessage().contains("--extractor"), e.getMessage());
    }

    @Test
    void progressSeesEveryImage() throws IOException {
        Path ex = TinyOnnx.extractor(dir.resolve("p.onnx"), new long[] {-1, 1, 2, 2}, Map.of());
        long[] seen = new long[2];
        FidProgress progress = new FidProgress() {
            @Override
            public void start(String label, long total) {
                seen[0] = total;
            }

            @Override
            public void advance(long images) {
                seen[1] += images;
            }
        };
        try (OnnxFeatureExtractor extractor = OnnxFeatureExtractor.open(ex, null)) {
            FidEvaluator.builder().optExtractor(extractor).optBatchSize(4).optProgress(progress).build()
                    .statistics(new ImageSet.Noise(10, 1, 3, 3, 1));
        }
        assertArrayEquals(new long[] {10, 10}, seen);
    }
}
