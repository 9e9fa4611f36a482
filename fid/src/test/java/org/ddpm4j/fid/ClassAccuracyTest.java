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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Class accuracy against a hand-made case: a brightness classifier and images of known brightness and label. */
class ClassAccuracyTest {

    @TempDir
    Path dir;

    /** Images of the given means (flat 2x2) and asked-for labels, {@code classes} classes. */
    private static ImageSource images(float[] means, int[] labels, int classes) {
        List<FidImage> all = new ArrayList<>();
        for (int i = 0; i < means.length; i++) {
            float[] p = new float[4];
            Arrays.fill(p, means[i]);
            all.add(new FidImage(1, 2, 2, p, labels[i]));
        }
        return new ImageSource() {
            int position;

            @Override
            public String description() {
                return "hand-made";
            }

            @Override
            public long size() {
                return all.size();
            }

            @Override
            public List<FidImage> next(int max) {
                List<FidImage> out = all.subList(position, Math.min(all.size(), position + max));
                position += out.size();
                return List.copyOf(out);
            }

            @Override
            public int classCount() {
                return classes;
            }
        };
    }

    /** Counts the extractor's runs. */
    private static final class Counting implements FeatureExtractor {
        final FeatureExtractor inner;
        int plainRuns;
        int scoredRuns;

        Counting(FeatureExtractor inner) {
            this.inner = inner;
        }

        @Override
        public String id() {
            return inner.id();
        }

        @Override
        public ExtractorInput input() {
            return inner.input();
        }

        @Override
        public float[] extract(List<FidImage> images) {
            plainRuns++;
            return inner.extract(images);
        }

        @Override
        public int classCount() {
            return inner.classCount();
        }

        @Override
        public Extracted extractWithScores(List<FidImage> images) {
            scoredRuns++;
            return inner.extractWithScores(images);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    // asked:   0    0    0    1    1    1    1    0
    // mean:   .1   .3   .8   .9   .6   .2   .7   .45  -> assigned 0 0 1 1 1 0 1 0
    // hits:    y    y    n    y    y    n    y    y   -> 6 of 8; class 0: 3 of 4, class 1: 3 of 4
    private static final float[] MEANS = {0.1f, 0.3f, 0.8f, 0.9f, 0.6f, 0.2f, 0.7f, 0.45f};
    private static final int[] LABELS = {0, 0, 0, 1, 1, 1, 1, 0};

    @Test
    void countsSamplesAssignedToTheirClassInTheFeaturePass() throws IOException {
        Path file = TinyOnnx.brightnessClassifier(dir.resolve("c.onnx"), 2);
        try (OnnxFeatureExtractor onnx = OnnxFeatureExtractor.open(file, null, 1)) {
            assertEquals(2, onnx.classCount());
            assertEquals("logits", onnx.scoreOutput());
            assertEquals("features", onnx.featureOutput());
            Counting ex = new Counting(onnx);
            FidEvaluator evaluator = FidEvaluator.builder().optExtractor(ex).optBatchSize(3).build();
            SetMeasurement m = evaluator.measure(images(MEANS, LABELS, 2), "hand-made");
            assertTrue(m.hasAccuracy(), m.accuracyNote());
            assertEquals(6, m.accuracy().correct());
            assertEquals(8, m.accuracy().total());
            assertEquals(0.75, m.accuracy().share(), 0.0);
            assertArrayEquals(new long[] {3, 3}, m.accuracy().hitsByClass());
            assertArrayEquals(new long[] {4, 4}, m.accuracy().askedByClass());
            assertEquals(3, ex.scoredRuns, "one run per batch of 3: features and scores together");
            assertEquals(0, ex.plainRuns, "no second pass for the features");

            // the features are those of the plain pass
            FeatureStatistics plain = FidEvaluator.builder().optExtractor(onnx).optBatchSize(8).build()
                    .statistics(images(MEANS, new int[8], 0), "plain");
            assertArrayEquals(plain.mean(), m.statistics().mean(), 1e-12);
            assertArrayEquals(plain.covariance(), m.statistics().covariance(), 1e-12);
        }
    }

    @Test
    void accuracyIsNotApplicableWithoutLabelsScoresOrMatchingClasses() throws IOException {
        Path classifier = TinyOnnx.brightnessClassifier(dir.resolve("c.onnx"), 2);
        Path plainExtractor = TinyOnnx.extractor(dir.resolve("e.onnx"), new long[] {-1, 1, 2, 2}, Map.of());
        try (OnnxFeatureExtractor c = OnnxFeatureExtractor.open(classifier, null, 1);
                OnnxFeatureExtractor e = OnnxFeatureExtractor.open(plainExtractor, "features", 1)) {
            assertEquals(0, e.classCount());
            assertNull(e.scoreOutput());
            SetMeasurement unlabelled = FidEvaluator.builder().optExtractor(c).build()
                    .measure(images(MEANS, new int[] {-1, -1, -1, -1, -1, -1, -1, -1}, 0), "x");
            assertFalse(unlabelled.hasAccuracy());
            assertEquals(FidEvaluator.NOT_DRAWN_FOR_CLASSES, unlabelled.accuracyNote());

            SetMeasurement noScores = FidEvaluator.builder().optExtractor(e).build().measure(images(MEANS, LABELS, 2), "x");
            assertFalse(noScores.hasAccuracy());
            assertTrue(noScores.accuracyNote().contains("has no class scores"), noScores.accuracyNote());

            SetMeasurement otherClasses = FidEvaluator.builder().optExtractor(c).build().measure(images(MEANS, LABELS, 3), "x");
            assertFalse(otherClasses.hasAccuracy());
            assertEquals("the images' 3 classes are not the extractor's 2", otherClasses.accuracyNote());
        }
    }

    @Test
    void counterTakesTheFirstOfEqualScoresAndChecksShapes() {
        ClassAccuracy.Counter counter = new ClassAccuracy.Counter(3);
        counter.add(new int[] {0, 2, 1}, new float[] {1, 1, 0, 0, 5, 5, 2, 7, -1});
        ClassAccuracy a = counter.result();
        assertEquals(2, a.correct(), a.toString()); // image 0: tie 0/1 -> 0 (hit); image 1: tie 1/2 -> 1 (miss); image 2: 1 (hit)
        assertArrayEquals(new long[] {1, 1, 0}, a.hitsByClass());
        assertArrayEquals(new long[] {1, 1, 1}, a.askedByClass());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> counter.add(new int[] {0}, new float[] {1, 2}));
        assertEquals("expected 3 scores for each of 1 images (3), found 2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> counter.add(new int[] {3}, new float[] {1, 2, 3}));
        assertTrue(e.getMessage().contains("expected 0..2"), e.getMessage());
    }
}
