package org.ddpm4j.fid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Samples of a class-conditional model in a FID set: the {@code model:} grammar, the classes, guidance and its errors. */
class ConditionalSamplesTest {

    @TempDir
    Path dir;

    private static final SampleSourceFactory FACTORY = ModelSampleSource.factory(OnnxOptions.DEFAULTS.withThreads(1));

    @Test
    void modelSetGrammarTakesGuidanceAndClass() {
        ImageSet.ModelSamples m = (ImageSet.ModelSamples) ImageSet.parse(
                "model:m.onnx?sampler=dpmpp&steps=20&n=40&seed=5&guidance=2&class=sneaker", dir);
        assertEquals(Path.of("m.onnx"), m.model());
        assertEquals("dpmpp", m.sampler());
        assertEquals(20, m.steps());
        assertEquals(40, m.count());
        assertEquals(5, m.seed());
        assertEquals(2.0, m.guidance());
        assertEquals("sneaker", m.classes());
        assertEquals("m.onnx dpmpp-20@w2 class=sneaker", m.label());

        ImageSet.ModelSamples all = (ImageSet.ModelSamples) ImageSet.parse("model:m.onnx?guidance=1.5&class=all", dir);
        assertEquals(1.5, all.guidance());
        assertEquals("m.onnx dpmpp-sde-20@w1.5", all.label()); // ddpm sample's sampler and steps by default
        ImageSet.ModelSamples none = (ImageSet.ModelSamples) ImageSet.parse("model:m.onnx?steps=10", dir);
        assertNull(none.guidance());
        assertNull(none.classes());
        assertEquals("m.onnx dpmpp-sde-10", none.label());
        assertEquals("m.onnx ddpm-1000", ImageSet.parse("model:m.onnx?sampler=ddpm", dir).label());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageSet.parse("model:m.onnx?guidance=strong", dir));
        assertEquals("image set 'model:m.onnx?guidance=strong': guidance must be a number, found 'strong'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ImageSet.parse("model:m.onnx?w=2", dir));
        assertEquals("image set 'model:m.onnx?w=2': unknown key 'w', expected one of "
                + "[class, eta, guidance, n, sampler, seed, steps]", e.getMessage());
    }

    private static List<FidImage> drain(ImageSource src) throws IOException {
        List<FidImage> all = new ArrayList<>();
        for (List<FidImage> b = src.next(3); !b.isEmpty(); b = src.next(3)) {
            all.addAll(b);
        }
        return all;
    }

    private static double mean(FidImage image) {
        double s = 0;
        for (float v : image.pixels()) {
            s += v;
        }
        return s / image.pixels().length;
    }

    @Test
    void theImageOfSeedSIsDrawnForClassSModKAndCarriesItsLabel() throws IOException {
        Path model = TinyOnnx.conditionalDenoiser(dir.resolve("c.onnx"), 1, 4);
        List<FidImage> images;
        try (ImageSource src = FACTORY.open(new ImageSet.ModelSamples(model, "ddim", 5, 0, 0, 0.0), 7, 2)) {
            assertEquals(2, src.classCount());
            images = drain(src);
        }
        assertEquals(7, images.size());
        for (int i = 0; i < 7; i++) {
            assertEquals(i % 2, images.get(i).label(), "image " + i);
            // the model makes class 0 dark and class 1 bright
            assertEquals(i % 2 == 1, mean(images.get(i)) > 0.5, "image " + i + " mean " + mean(images.get(i)));
        }
        // a part of the set (as the Spark job draws it) is the same images with the same labels
        try (DiffusionPipelineHolder p = new DiffusionPipelineHolder(model)) {
            try (ModelSampleSource part = new ModelSampleSource(p.pipeline, new ImageSet.ModelSamples(model, "ddim", 5, 7, 0, 0.0),
                    3, 3, 3)) {
                List<FidImage> three = part.next(3);
                for (int k = 0; k < 3; k++) {
                    assertEquals(images.get(3 + k).label(), three.get(k).label());
                    assertArrayEquals(images.get(3 + k).pixels(), three.get(k).pixels(), 0f);
                }
            }
        }
        // one class by name
        try (ImageSource src = FACTORY.open((ImageSet.ModelSamples) ImageSet.parse(
                "model:" + model + "?sampler=ddim&steps=5&class=Bright", dir), 4, 4)) {
            for (FidImage image : drain(src)) {
                assertEquals(1, image.label());
                assertTrue(mean(image) > 0.5);
            }
        }
        // from seed 3 the classes follow the seed (3 mod 2 = 1 first), as ddpm sample draws them, and the
        // image of seed 4 is the one drawn as image 4 from seed 0
        try (ImageSource src = FACTORY.open((ImageSet.ModelSamples) ImageSet.parse(
                "model:" + model + "?sampler=ddim&steps=5&seed=3", dir), 3, 3)) {
            List<FidImage> fromThree = drain(src);
            for (int k = 0; k < 3; k++) {
                assertEquals((3 + k) % 2, fromThree.get(k).label(), "seed " + (3 + k));
                assertArrayEquals(images.get(3 + k).pixels(), fromThree.get(k).pixels(), 0f);
            }
        }
        // class=none: the null label (the tiny model's is bright), images without a class to score
        try (ImageSource src = FACTORY.open((ImageSet.ModelSamples) ImageSet.parse(
                "model:" + model + "?sampler=ddim&steps=5&class=none", dir), 4, 4)) {
            for (FidImage image : drain(src)) {
                assertFalse(image.labelled());
                assertTrue(mean(image) > 0.5, "mean " + mean(image));
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FACTORY.open(
                (ImageSet.ModelSamples) ImageSet.parse("model:" + model + "?sampler=ddim&steps=5&class=none&guidance=2", dir), 4, 4));
        assertTrue(e.getMessage().contains("class=none draws the model without one"), e.getMessage());
    }

    @Test
    void classAccuracyFollowsGuidance() throws IOException {
        Path model = TinyOnnx.conditionalDenoiser(dir.resolve("c.onnx"), 1, 4);
        Path classifier = TinyOnnx.brightnessClassifier(dir.resolve("k.onnx"), 4);
        try (OnnxFeatureExtractor ex = OnnxFeatureExtractor.open(classifier, null, 1)) {
            FidEvaluator evaluator = FidEvaluator.builder().optExtractor(ex).optBatchSize(4).optSampleSource(FACTORY)
                    .optLimit(8).build();
            SetMeasurement w1 = evaluator.measure(ImageSet.parse("model:" + model + "?sampler=ddim&steps=5", dir));
            assertEquals(8, w1.accuracy().total());
            assertEquals(1.0, w1.accuracy().share(), 0.0, w1.accuracy().toString());
            // w = 0 is the null label's (bright) model for every image: only the bright half is right
            SetMeasurement w0 = evaluator.measure(ImageSet.parse("model:" + model + "?sampler=ddim&steps=5&guidance=0", dir));
            assertEquals(0.5, w0.accuracy().share(), 0.0, w0.accuracy().toString());
            assertArrayEquals(new long[] {0, 4}, w0.accuracy().hitsByClass());
        }
    }

    @Test
    void unconditionalModelRefusesGuidanceAndClass() throws IOException {
        Path model = TinyOnnx.denoiser(dir.resolve("u.onnx"), 1, 4);
        for (String query : new String[] {"steps=5&guidance=2", "steps=5&class=1", "steps=5&guidance=1", "steps=5&class=none"}) {
            ImageSet.ModelSamples m = (ImageSet.ModelSamples) ImageSet.parse("model:" + model + "?" + query, dir);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FACTORY.open(m, 2, 2));
            assertTrue(e.getMessage().contains("u.onnx is an unconditional model (no ddpm.class_count): guidance "
                    + "(@wW, guidance=W), @none and class= need a class-conditional one"), e.getMessage());
        }
        try (ImageSource src = FACTORY.open(new ImageSet.ModelSamples(model, "ddim", 5, 0, 0, 0.0), 2, 2)) {
            assertEquals(0, src.classCount());
            assertEquals(FidImage.NO_LABEL, src.next(2).get(0).label());
        }
    }

    @Test
    void unknownClassNamesListTheModelsClasses() throws IOException {
        Path model = TinyOnnx.conditionalDenoiser(dir.resolve("c.onnx"), 1, 4);
        ImageSet.ModelSamples m = (ImageSet.ModelSamples) ImageSet.parse("model:" + model + "?sampler=ddim&steps=5&class=sneaker", dir);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FACTORY.open(m, 2, 2));
        assertEquals("unknown class 'sneaker': expected a label 0..1 or one of the names (0=dark, 1=bright), or 'none' for the null label (no class)", e.getMessage());
    }

    /** A pipeline closed after the test. */
    private static final class DiffusionPipelineHolder implements AutoCloseable {
        final org.ddpm4j.runtime.pipeline.DiffusionPipeline pipeline;

        DiffusionPipelineHolder(Path model) throws IOException {
            pipeline = org.ddpm4j.runtime.pipeline.DiffusionPipeline.open(model, OnnxOptions.DEFAULTS.withThreads(1));
        }

        @Override
        public void close() {
            pipeline.close();
        }
    }
}
