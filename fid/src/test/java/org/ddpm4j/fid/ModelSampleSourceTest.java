package org.ddpm4j.fid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.ddpm4j.runtime.image.ImageTensors;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSampleSourceTest {

    @TempDir
    Path dir;

    private static List<FidImage> drain(ImageSource src, int batch) throws IOException {
        List<FidImage> all = new ArrayList<>();
        for (List<FidImage> b = src.next(batch); !b.isEmpty(); b = src.next(batch)) {
            all.addAll(b);
        }
        return all;
    }

    @Test
    void samplesDependOnSeedsNotBatches() throws IOException {
        Path model = TinyOnnx.denoiser(dir.resolve("m.onnx"), 1, 4);
        SampleSourceFactory factory = ModelSampleSource.factory(OnnxOptions.DEFAULTS.withThreads(1));
        ImageSet.ModelSamples spec = new ImageSet.ModelSamples(model, "ddim", 5, 0, 40, 0.0);
        List<FidImage> a;
        List<FidImage> b;
        try (ImageSource src = factory.open(spec, 5, 2)) {
            assertEquals(5, src.size());
            a = drain(src, 2);
        }
        try (ImageSource src = factory.open(spec, 5, 5)) {
            b = drain(src, 3);
        }
        assertEquals(5, a.size());
        for (int k = 0; k < 5; k++) {
            assertArrayEquals(a.get(k).pixels(), b.get(k).pixels(), 0f, "image " + k);
            for (float v : a.get(k).pixels()) {
                assertEquals(Math.round(v * 255f), v * 255f, 1e-3, "8-bit quantised");
            }
        }
        assertFalse(Arrays.equals(a.get(0).pixels(), a.get(1).pixels()), "different seeds give different images");
        // the seed offset: set from seed 41 starts with image 1 of the set from seed 40
        try (ImageSource src = factory.open(new ImageSet.ModelSamples(model, "ddim", 5, 0, 41, 0.0), 1, 1)) {
            assertArrayEquals(a.get(1).pixels(), src.next(1).get(0).pixels(), 0f);
        }
    }

    @Test
    void modelSamplesMatchTheirWrittenPngs() throws IOException {
        Path model = TinyOnnx.denoiser(dir.resolve("m.onnx"), 1, 4);
        Path ex = TinyOnnx.extractor(dir.resolve("e.onnx"), new long[] {-1, 1, 2, 2}, Map.of());
        SampleSourceFactory factory = ModelSampleSource.factory(OnnxOptions.DEFAULTS.withThreads(1));
        ImageSet.ModelSamples spec = (ImageSet.ModelSamples) ImageSet.parse("model:" + model + "?sampler=ddpm&steps=10&n=12&seed=3", dir);
        Path folder = dir.resolve("written");
        try (ImageSource src = factory.open(spec, 12, 12)) {
            List<FidImage> images = src.next(12);
            for (int k = 0; k < images.size(); k++) {
                float[] p = images.get(k).pixels();
                float[] model11 = new float[p.length];
                for (int i = 0; i < p.length; i++) {
                    model11[i] = p[i] * 2f - 1f;
                }
                ImageTensors.writePng(ImageTensors.toImage(model11, 0, 1, 4, 4), folder.resolve(String.format("%02d.png", k)));
            }
        }
        try (OnnxFeatureExtractor extractor = OnnxFeatureExtractor.open(ex, "features")) {
            FidEvaluator fid = FidEvaluator.builder().optExtractor(extractor).optSampleSource(factory).build();
            assertEquals(0.0, fid.fid(spec, new ImageSet.Folder(folder)).fid(), 1e-9);
        }
    }

    @Test
    void badSamplerSettingsAreRefusedUpFront() throws IOException {
        Path model = TinyOnnx.denoiser(dir.resolve("m.onnx"), 1, 4);
        SampleSourceFactory factory = ModelSampleSource.factory(OnnxOptions.DEFAULTS.withThreads(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> factory.open(new ImageSet.ModelSamples(model, "ddim", 50, 0, 0, 0.0), 4, 4));
        assertTrue(e.getMessage().contains("50") && e.getMessage().contains("10"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> factory.open(new ImageSet.ModelSamples(model, "euler", 5, 0, 0, 0.0), 4, 4));
        assertTrue(e.getMessage().contains("euler"), e.getMessage());
    }
}
