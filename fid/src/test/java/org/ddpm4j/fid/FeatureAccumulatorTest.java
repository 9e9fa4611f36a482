package org.ddpm4j.fid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FeatureAccumulatorTest {

    @Test
    void matchesTwoPassStatisticsWhateverTheBatching() {
        Random rnd = new Random(5);
        int dim = 6;
        int rows = 101;
        // a large common offset: the naive E[xx^T] - mu mu^T would lose most digits in float
        float[] x = new float[rows * dim];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (1000.0 + rnd.nextGaussian() * (1 + i % dim));
        }
        double[] mean = new double[dim];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < dim; j++) {
                mean[j] += x[r * dim + j];
            }
        }
        for (int j = 0; j < dim; j++) {
            mean[j] /= rows;
        }
        double[] cov = new double[dim * dim];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < dim; i++) {
                for (int j = 0; j < dim; j++) {
                    cov[i * dim + j] += (x[r * dim + i] - mean[i]) * (x[r * dim + j] - mean[j]) / (rows - 1);
                }
            }
        }
        for (int[] batches : new int[][] {{101}, {1, 100}, {7, 7, 7, 80}, {50, 1, 50}}) {
            FeatureAccumulator acc = new FeatureAccumulator(dim);
            int start = 0;
            for (int b : batches) {
                acc.add(Arrays.copyOfRange(x, start * dim, (start + b) * dim), b);
                start += b;
            }
            FeatureStatistics s = acc.statistics("e", "s");
            assertEquals(rows, s.count());
            for (int j = 0; j < dim; j++) {
                assertEquals(mean[j], s.mean()[j], 1e-9, "mean " + j + " with batches " + Arrays.toString(batches));
            }
            for (int k = 0; k < cov.length; k++) {
                assertEquals(cov[k], s.covariance()[k], 1e-9 * (1 + Math.abs(cov[k])),
                        "cov " + k + " with batches " + Arrays.toString(batches));
            }
        }
    }

    @Test
    void refusesBadInput() {
        FeatureAccumulator acc = new FeatureAccumulator(3);
        assertThrows(IllegalArgumentException.class, () -> acc.add(new float[5], 2));
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> acc.add(new float[] {0, Float.NaN, 0}, 1));
        assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
        acc.add(new float[] {1, 2, 3}, 1);
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> acc.statistics("e", "tiny"));
        assertTrue(one.getMessage().contains("at least 2"), one.getMessage());
    }

    @Test
    void mergedPiecesEqualOnePassAndSurviveSerialization() throws Exception {
        Random rnd = new Random(11);
        int dim = 4;
        int rows = 60;
        float[] x = new float[rows * dim];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (50.0 + rnd.nextGaussian() * (1 + i % dim));
        }
        FeatureAccumulator whole = new FeatureAccumulator(dim);
        whole.add(x, rows);
        // three pieces of 10, 0 and 50 rows, merged as a tree: (a + empty) + c, one piece through Java serialization
        FeatureAccumulator a = new FeatureAccumulator(dim);
        a.add(Arrays.copyOfRange(x, 0, 10 * dim), 10);
        FeatureAccumulator c = new FeatureAccumulator(dim);
        c.add(Arrays.copyOfRange(x, 10 * dim, rows * dim), 50);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(c);
        }
        FeatureAccumulator copied;
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
                new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            copied = (FeatureAccumulator) in.readObject();
        }
        FeatureAccumulator merged = a.merge(new FeatureAccumulator(dim)).merge(copied);
        assertEquals(rows, merged.count());
        FeatureStatistics s1 = whole.statistics("x", "s");
        FeatureStatistics s2 = merged.statistics("x", "s");
        for (int i = 0; i < dim; i++) {
            assertEquals(s1.mean()[i], s2.mean()[i], 1e-12 * Math.abs(s1.mean()[i]));
        }
        for (int i = 0; i < dim * dim; i++) {
            assertEquals(s1.covariance()[i], s2.covariance()[i], 1e-10);
        }
        assertThrows(IllegalArgumentException.class, () -> merged.merge(new FeatureAccumulator(dim + 1)));
    }
}
