package org.ddpm4j.fid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxFeatureExtractorTest {

    @TempDir
    Path dir;

    private static FidImage ramp(int channels, int h, int w, float scale) {
        float[] p = new float[channels * h * w];
        for (int i = 0; i < p.length; i++) {
            p[i] = scale * (i % (h * w)) / (h * w - 1);
        }
        return new FidImage(channels, h, w, p);
    }

    @Test
    void readsInputShapeRangeAndNamedOutput() throws IOException {
        Path f = TinyOnnx.extractor(dir.resolve("e.onnx"), new long[] {-1, 1, 4, 4},
                Map.of(InputRange.METADATA_KEY, "-1,1"));
        try (OnnxFeatureExtractor ex = OnnxFeatureExtractor.open(f, "features", 1)) {
            assertEquals(new ExtractorInput(1, 4, 4, InputRange.MINUS_ONE_ONE), ex.input());
            assertTrue(ex.id().startsWith("sha256:") && ex.id().endsWith("#features"), ex.id());
            FidImage img = ramp(1, 4, 4, 1f);
            float[] feats = ex.extract(List.of(img, img));
            assertEquals(32, feats.length);
            for (int i = 0; i < 16; i++) {
                assertEquals(2 * img.pixels()[i] - 1, feats[i], 1e-6f);
                assertEquals(feats[i], feats[16 + i], 0f);
            }
        }
    }

    @Test
    void defaultsToTheFirstOutputOrTheMetadataOutput() throws IOException {
        Path plain = TinyOnnx.extractor(dir.resolve("plain.onnx"), new long[] {-1, 3, 2, 2}, Map.of());
        FidImage rgb = new FidImage(3, 2, 2, new float[] {0, 0, 0, 0, .5f, .5f, .5f, .5f, 1, 1, 1, 1});
        try (OnnxFeatureExtractor ex = OnnxFeatureExtractor.open(plain, null)) {
            assertEquals("pooled", ex.featureOutput());
            assertArrayEquals(new float[] {0f, .5f, 1f}, ex.extract(List.of(rgb)), 1e-6f);
        }
        Path named = TinyOnnx.extractor(dir.resolve("named.onnx"), new long[] {-1, 3, 2, 2},
                Map.of(OnnxFeatureExtractor.FEATURES_KEY, "features"));
        try (OnnxFeatureExtractor ex = OnnxFeatureExtractor.open(named, null)) {
            assertEquals("features", ex.featureOutput());
            assertEquals(12, ex.extract(List.of(rgb)).length);
        }
    }

    @Test
    void resizesAndFitsChannels() throws IOException {
        Path gray = TinyOnnx.extractor(dir.resolve("gray.onnx"), new long[] {-1, 1, 2, 2}, Map.of());
        // an RGB 4x4 image whose channels are 0.1, 0.2, 0.6 everywhere: averaged to 0.3, resize keeps constants
        float[] p = new float[48];
        for (int i = 0; i < 48; i++) {
            p[i] = i < 16 ? 0.1f : i < 32 ? 0.2f : 0.6f;
        }
        try (OnnxFeatureExtractor ex = OnnxFeatureExtractor.open(gray, "features")) {
            assertArrayEquals(new float[] {.3f, .3f, .3f, .3f}, ex.extract(List.of(new FidImage(3, 4, 4, p))), 1e-6f);
        }
        Path rgb = TinyOnnx.extractor(dir.resolve("rgb.onnx"), new long[] {-1, 3, 1, 1}, Map.of());
        try (OnnxFeatureExtractor ex = OnnxFeatureExtractor.open(rgb, "features")) {
            // gray 2x2 -> 1x1 bilinear with half-pixel centres is the mean of the four pixels, repeated x3
            FidImage g = new FidImage(1, 2, 2, new float[] {0f, .2f, .4f, .6f});
            assertArrayEquals(new float[] {.3f, .3f, .3f}, ex.extract(List.of(g)), 1e-6f);
        }
    }

    @Test
    void fillsAFixedBatch() throws IOException {
        Path f = TinyOnnx.extractor(dir.resolve("fixed.onnx"), new long[] {3, 1, 2, 2}, Map.of());
        List<FidImage> images = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            images.add(new FidImage(1, 2, 2, new float[] {i / 10f, i / 10f, i / 10f, i / 10f}));
        }
        try (OnnxFeatureExtractor ex = OnnxFeatureExtractor.open(f, "pooled")) {
            assertArrayEquals(new float[] {0f, .1f, .2f, .3f, .4f}, ex.extract(images), 1e-6f);
        }
    }

    @Test
    void wrongInputShapeGivesAClearError() throws IOException {
        Path flat = TinyOnnx.extractor(dir.resolve("flat.onnx"), new long[] {-1, 16}, Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxFeatureExtractor.open(flat, null));
        assertTrue(e.getMessage().contains("must be 4-D [B, C, H, W], found 2-D [-1, 16]")
                && e.getMessage().contains("flat.onnx"), e.getMessage());

        Path twoChannels = TinyOnnx.extractor(dir.resolve("c2.onnx"), new long[] {-1, 2, 4, 4}, Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> OnnxFeatureExtractor.open(twoChannels, null));
        assertTrue(e.getMessage().contains("channel count 1 or 3"), e.getMessage());

        Path range = TinyOnnx.extractor(dir.resolve("range.onnx"), new long[] {-1, 1, 4, 4},
                Map.of(InputRange.METADATA_KEY, "0,255"));
        e = assertThrows(IllegalArgumentException.class, () -> OnnxFeatureExtractor.open(range, null));
        assertTrue(e.getMessage().contains("fid.input_range") && e.getMessage().contains("0,255"), e.getMessage());

        Path ok = TinyOnnx.extractor(dir.resolve("ok.onnx"), new long[] {-1, 1, 4, 4}, Map.of());
        e = assertThrows(IllegalArgumentException.class, () -> OnnxFeatureExtractor.open(ok, "logits"));
        assertTrue(e.getMessage().contains("no output named 'logits'") && e.getMessage().contains("features"),
                e.getMessage());

        Path garbage = Files.writeString(dir.resolve("garbage.onnx"), "not a model");
        IOException io = assertThrows(IOException.class, () -> OnnxFeatureExtractor.open(garbage, null));
        assertTrue(io.getMessage().contains("garbage.onnx"), io.getMessage());
    }

    @Test
    void idDependsOnFileAndOutput() throws IOException {
        Path a = TinyOnnx.extractor(dir.resolve("a.onnx"), new long[] {-1, 1, 4, 4}, Map.of());
        Path b = TinyOnnx.extractor(dir.resolve("b.onnx"), new long[] {-1, 1, 4, 4}, Map.of("fid.input_range", "-1,1"));
        try (OnnxFeatureExtractor x = OnnxFeatureExtractor.open(a, "features");
                OnnxFeatureExtractor y = OnnxFeatureExtractor.open(a, "pooled");
                OnnxFeatureExtractor z = OnnxFeatureExtractor.open(b, "features")) {
            assertNotEquals(x.id(), y.id());
            assertNotEquals(x.id(), z.id());
        }
    }
}
