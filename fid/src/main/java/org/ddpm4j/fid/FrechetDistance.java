package org.ddpm4j.fid;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The squared Frechet distance between two Gaussians, the number called FID:
 * {@code d^2 = |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2))}.
 *
 * <p>The trace of the matrix square root is taken the stable, symmetric way: {@code S1^(1/2)} from a
 * symmetric eigen decomposition of S1, then {@code Tr (S1 S2)^(1/2) = Tr (S1^(1/2) S2 S1^(1/2))^(1/2)}
 * (see {@link #traceOfSqrtProduct}),
 * the sum of the square roots of the eigenvalues of the symmetric positive semi-definite matrix
 * {@code S1^(1/2) S2 S1^(1/2)} (the two matrices are similar when S1 is invertible, and the identity
 * holds by continuity when it is not). Eigenvalues that rounding made slightly negative are clamped
 * to zero, so no complex numbers or ad-hoc diagonal offsets are needed.
 */
public final class FrechetDistance {

    /**
     * The distance and its two parts.
     *
     * @param fid       the squared Frechet distance, {@code meanTerm + traceTerm}, never negative
     * @param meanTerm  {@code |mu1 - mu2|^2}
     * @param traceTerm {@code Tr(S1) + Tr(S2) - 2 Tr (S1 S2)^(1/2)}
     */
    public record Result(double fid, double meanTerm, double traceTerm) {
    }

    private FrechetDistance() {
    }

    /**
     * The squared Frechet distance between the Gaussians of {@code a} and {@code b}.
     *
     * @throws IllegalArgumentException when the dimensions differ or the statistics come from different
     *                                  feature extractors
     */
    public static Result between(FeatureStatistics a, FeatureStatistics b) {
        if (a.dim() != b.dim()) {
            throw new IllegalArgumentException("cannot compare feature statistics of different dimensions: "
                    + a.dim() + " (" + a.source() + ") and " + b.dim() + " (" + b.source() + ")");
        }
        if (!a.extractor().isEmpty() && !b.extractor().isEmpty() && !a.extractor().equals(b.extractor())) {
            throw new IllegalArgumentException("cannot compare feature statistics from different extractors: '"
                    + a.extractor() + "' (" + a.source() + ") and '" + b.extractor() + "' (" + b.source() + ")");
        }
        int n = a.dim();
        double meanTerm = 0;
        for (int i = 0; i < n; i++) {
            double d = a.mean()[i] - b.mean()[i];
            meanTerm += d * d;
        }
        DMatrixRMaj s1 = DMatrixRMaj.wrap(n, n, a.covariance().clone());
        DMatrixRMaj s2 = DMatrixRMaj.wrap(n, n, b.covariance().clone());
        double traceSqrt = traceOfSqrtProduct(s1, s2);
        double traceTerm = CommonOps_DDRM.trace(s1) + CommonOps_DDRM.trace(s2) - 2 * traceSqrt;
        double fid = meanTerm + traceTerm;
        // mathematically non-negative; only rounding can push it below zero
        return new Result(Math.max(0.0, fid), meanTerm, traceTerm);
    }

    /**
     * {@code Tr (S1 S2)^(1/2)} for symmetric positive semi-definite S1 and S2.
     *
     * <p>With {@code S1 = V D V^T}, {@code S1^(1/2) S2 S1^(1/2) = V (B^T S2 B) V^T} for {@code B = V D^(1/2)},
     * so its eigenvalues are those of {@code B^T S2 B}, which needs two matrix products instead of three.
     */
    public static double traceOfSqrtProduct(DMatrixRMaj s1, DMatrixRMaj s2) {
        DMatrixRMaj b = scaledEigenvectors(s1, 0.5);
        int n = s1.numRows;
        DMatrixRMaj tmp = new DMatrixRMaj(n, b.numCols);
        DMatrixRMaj m = new DMatrixRMaj(b.numCols, b.numCols);
        CommonOps_DDRM.mult(s2, b, tmp);
        CommonOps_DDRM.multTransA(b, tmp, m);
        symmetrize(m);
        double sum = 0;
        for (double lambda : symmetricEigenvalues(m)) {
            sum += Math.sqrt(Math.max(0.0, lambda));
        }
        return sum;
    }

    /** {@code V diag(max(l, 0)^power)} for the symmetric eigen decomposition {@code S = V diag(l) V^T}. */
    private static DMatrixRMaj scaledEigenvectors(DMatrixRMaj s, double power) {
        int n = s.numRows;
        DMatrixRMaj sym = s.copy();
        symmetrize(sym);
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
        if (!eig.decompose(sym)) {
            throw new IllegalStateException("eigen decomposition of a " + n + "x" + n + " covariance did not converge");
        }
        int k = eig.getNumberOfEigenvalues();
        DMatrixRMaj a = new DMatrixRMaj(n, k);
        for (int c = 0; c < k; c++) {
            double lambda = eig.getEigenvalue(c).getReal();
            double scale = Math.pow(Math.max(0.0, lambda), power);
            DMatrixRMaj v = eig.getEigenVector(c);
            for (int i = 0; i < n; i++) {
                a.data[i * k + c] = v.data[i] * scale;
            }
        }
        return a;
    }

    /**
     * The principal square root of a symmetric positive semi-definite matrix, {@code V diag(sqrt(max(l, 0))) V^T}.
     */
    public static DMatrixRMaj symmetricSqrt(DMatrixRMaj s) {
        // V diag(sqrt l) V^T = A A^T with A = V diag(l^(1/4))
        DMatrixRMaj a = scaledEigenvectors(s, 0.25);
        DMatrixRMaj root = new DMatrixRMaj(s.numRows, s.numRows);
        CommonOps_DDRM.multOuter(a, root);
        symmetrize(root);
        return root;
    }

    private static double[] symmetricEigenvalues(DMatrixRMaj m) {
        int n = m.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, false, true);
        if (!eig.decompose(m.copy())) {
            throw new IllegalStateException("eigen decomposition of a " + n + "x" + n + " matrix did not converge");
        }
        double[] values = new double[eig.getNumberOfEigenvalues()];
        for (int k = 0; k < values.length; k++) {
            values[k] = eig.getEigenvalue(k).getReal();
        }
        return values;
    }

    private static void symmetrize(DMatrixRMaj m) {
        int n = m.numRows;
        double[] d = m.data;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double v = 0.5 * (d[i * n + j] + d[j * n + i]);
                d[i * n + j] = v;
                d[j * n + i] = v;
            }
        }
    }
}
