package org.ddpm4j.fid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.RandomMatrices_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.junit.jupiter.api.Test;

class FrechetDistanceTest {

    @Test
    void statisticsAgainstThemselvesGiveZero() {
        Random rnd = new Random(1);
        FeatureAccumulator acc = new FeatureAccumulator(16);
        acc.add(gaussianRows(rnd, 200, 16, 3.0, 2.0), 200);
        FeatureStatistics s = acc.statistics("x", "a");
        FrechetDistance.Result r = FrechetDistance.between(s, s);
        assertEquals(0.0, r.fid(), 1e-9);
        assertEquals(0.0, r.meanTerm(), 0.0);
    }

    @Test
    void commutingCovariancesMatchTheClosedForm() {
        // S1 = Q D1 Q^T, S2 = Q D2 Q^T share eigenvectors, so Tr (S1 S2)^(1/2) = sum sqrt(d1 d2)
        // and d^2 = |mu1 - mu2|^2 + sum (sqrt d1 - sqrt d2)^2.
        int n = 12;
        Random rnd = new Random(7);
        DMatrixRMaj q = RandomMatrices_DDRM.orthogonal(n, n, rnd);
        double[] d1 = new double[n];
        double[] d2 = new double[n];
        double[] mu1 = new double[n];
        double[] mu2 = new double[n];
        double expected = 0;
        for (int i = 0; i < n; i++) {
            d1[i] = 0.1 + 4 * rnd.nextDouble();
            d2[i] = i == 0 ? 0.0 : 0.1 + 4 * rnd.nextDouble(); // one singular direction
            mu1[i] = rnd.nextGaussian();
            mu2[i] = rnd.nextGaussian();
            double dm = mu1[i] - mu2[i];
            double ds = Math.sqrt(d1[i]) - Math.sqrt(d2[i]);
            expected += dm * dm + ds * ds;
        }
        FeatureStatistics a = new FeatureStatistics(100, mu1, rotate(q, d1), "e", "a");
        FeatureStatistics b = new FeatureStatistics(100, mu2, rotate(q, d2), "e", "b");
        // the singular direction leaves eigenvalues of rounding size (~1e-16) whose square roots
        // (~1e-8) are the floor of the achievable accuracy
        assertEquals(expected, FrechetDistance.between(a, b).fid(), 1e-6 * expected);
        assertEquals(expected, FrechetDistance.between(b, a).fid(), 1e-6 * expected);
    }

    @Test
    void generalCovariancesMatchTheEigenvaluesOfTheProduct() {
        // independent route: S1 S2 is similar to a PSD matrix, so its eigenvalues are real and
        // non-negative and Tr (S1 S2)^(1/2) is the sum of their square roots
        int n = 10;
        Random rnd = new Random(11);
        DMatrixRMaj s1 = randomSpd(n, rnd);
        DMatrixRMaj s2 = randomSpd(n, rnd);
        DMatrixRMaj prod = new DMatrixRMaj(n, n);
        CommonOps_DDRM.mult(s1, s2, prod);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, false, false);
        assertTrue(eig.decompose(prod));
        double traceSqrt = 0;
        for (int k = 0; k < n; k++) {
            assertEquals(0.0, eig.getEigenvalue(k).getImaginary(), 1e-8);
            traceSqrt += Math.sqrt(eig.getEigenvalue(k).getReal());
        }
        double expected = CommonOps_DDRM.trace(s1) + CommonOps_DDRM.trace(s2) - 2 * traceSqrt;
        double[] zero = new double[n];
        FrechetDistance.Result r = FrechetDistance.between(
                new FeatureStatistics(10, zero, s1.data, "", "a"), new FeatureStatistics(10, zero, s2.data, "", "b"));
        assertEquals(expected, r.fid(), 1e-9 * expected);
        assertEquals(expected, r.traceTerm(), 1e-9 * expected);
    }

    @Test
    void sampledGaussiansApproachTheClosedForm() {
        // features ~ N(mu, diag(s^2)); FID of two such sets -> sum (m1 - m2)^2 + (s1 - s2)^2
        Random rnd = new Random(3);
        int dim = 4;
        int rows = 20000;
        FeatureAccumulator a = new FeatureAccumulator(dim);
        FeatureAccumulator b = new FeatureAccumulator(dim);
        for (int batch = 0; batch < 10; batch++) {
            a.add(gaussianRows(rnd, rows / 10, dim, 1.0, 1.0), rows / 10);
            b.add(gaussianRows(rnd, rows / 10, dim, 1.5, 2.0), rows / 10);
        }
        double expected = dim * (0.5 * 0.5 + 1.0 * 1.0);
        double fid = FrechetDistance.between(a.statistics("e", "a"), b.statistics("e", "b")).fid();
        assertEquals(expected, fid, 0.1 * expected);
    }

    @Test
    void symmetricSqrtSquaresBack() {
        DMatrixRMaj s = randomSpd(8, new Random(13));
        DMatrixRMaj root = FrechetDistance.symmetricSqrt(s);
        DMatrixRMaj back = new DMatrixRMaj(8, 8);
        CommonOps_DDRM.mult(root, root, back);
        for (int i = 0; i < 64; i++) {
            assertEquals(s.data[i], back.data[i], 1e-10);
        }
    }

    @Test
    void refusesDifferentDimensionsAndExtractors() {
        double[] m2 = new double[2];
        double[] m3 = new double[3];
        FeatureStatistics a = new FeatureStatistics(5, m2, new double[] {1, 0, 0, 1}, "e1", "a");
        FeatureStatistics b = new FeatureStatistics(5, m3, new double[9], "e1", "b");
        FeatureStatistics c = new FeatureStatistics(5, m2, new double[] {1, 0, 0, 1}, "e2", "c");
        IllegalArgumentException dims = assertThrows(IllegalArgumentException.class, () -> FrechetDistance.between(a, b));
        assertTrue(dims.getMessage().contains("2") && dims.getMessage().contains("3"), dims.getMessage());
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> FrechetDistance.between(a, c));
        assertTrue(ex.getMessage().contains("e1") && ex.getMessage().contains("e2"), ex.getMessage());
    }

    static float[] gaussianRows(Random rnd, int rows, int dim, double mean, double std) {
        float[] out = new float[rows * dim];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (mean + std * rnd.nextGaussian());
        }
        return out;
    }

    private static double[] rotate(DMatrixRMaj q, double[] diag) {
        int n = diag.length;
        DMatrixRMaj d = CommonOps_DDRM.diag(diag);
        DMatrixRMaj tmp = new DMatrixRMaj(n, n);
        DMatrixRMaj out = new DMatrixRMaj(n, n);
        CommonOps_DDRM.mult(q, d, tmp);
        CommonOps_DDRM.multTransB(tmp, q, out);
        return out.data;
    }

    private static DMatrixRMaj randomSpd(int n, Random rnd) {
        DMatrixRMaj a = RandomMatrices_DDRM.rectangle(n, n, -1, 1, rnd);
        DMatrixRMaj s = new DMatrixRMaj(n, n);
        CommonOps_DDRM.multOuter(a, s);
        for (int i = 0; i < n; i++) {
            s.add(i, i, 0.01);
        }
        return s;
    }
}
