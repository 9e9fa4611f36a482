package org.ddpm4j.fid;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;

/**
 * Streams feature vectors into a mean and covariance without keeping them, in double.
 *
 * <p>Each batch is centred on its own mean, its co-moment matrix {@code sum (x - m_b)(x - m_b)^T}
 * is formed, and it is merged into the running totals with the pairwise update of Chan, Golub and
 * LeVeque: {@code M = M_a + M_b + delta delta^T n_a n_b / n}. Centring before multiplying avoids the
 * cancellation of the naive {@code E[xx^T] - mu mu^T}, so features with a large common offset keep
 * their precision.
 *
 * <p>Accumulators of disjoint parts of a set {@link #merge merge} with the same update, so statistics
 * computed in pieces (for example one accumulator per Spark partition, combined in a tree) equal those
 * of one pass up to rounding. Accumulators are serializable for that.
 */
public final class FeatureAccumulator implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private final int dim;
    private long count;
    private final double[] mean;
    private final DMatrixRMaj comoment;

    /** An empty accumulator for {@code dim}-dimensional features. */
    public FeatureAccumulator(int dim) {
        if (dim <= 0) {
            throw new IllegalArgumentException("feature dimension must be positive, found " + dim);
        }
        this.dim = dim;
        this.mean = new double[dim];
        this.comoment = new DMatrixRMaj(dim, dim);
    }

    /** Feature dimension. */
    public int dim() {
        return dim;
    }

    /** Number of vectors added so far. */
    public long count() {
        return count;
    }

    /**
     * Adds {@code rows} feature vectors stored row after row in {@code features}.
     *
     * @throws IllegalArgumentException when the length is not {@code rows * dim} or a value is not finite
     */
    public void add(float[] features, int rows) {
        if (rows < 0 || features.length != (long) rows * dim) {
            throw new IllegalArgumentException("expected " + rows + " feature vectors of dimension " + dim
                    + " (" + ((long) rows * dim) + " values), found " + features.length + " values");
        }
        if (rows == 0) {
            return;
        }
        double[] batchMean = new double[dim];
        for (int r = 0; r < rows; r++) {
            int base = r * dim;
            for (int j = 0; j < dim; j++) {
                float v = features[base + j];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException("feature vector " + (count + r) + " has a non-finite value "
                            + v + " at index " + j + " (the extractor produced NaN or infinity)");
                }
                batchMean[j] += v;
            }
        }
        for (int j = 0; j < dim; j++) {
            batchMean[j] /= rows;
        }
        DMatrixRMaj centred = new DMatrixRMaj(rows, dim);
        double[] c = centred.data;
        for (int r = 0; r < rows; r++) {
            int base = r * dim;
            for (int j = 0; j < dim; j++) {
                c[base + j] = features[base + j] - batchMean[j];
            }
        }
        DMatrixRMaj batchComoment = new DMatrixRMaj(dim, dim);
        CommonOps_DDRM.multInner(centred, batchComoment);
        merge(rows, batchMean, batchComoment.data);
    }

    /**
     * Adds everything another accumulator of the same dimension holds (the other is left unchanged).
     *
     * @return this accumulator
     * @throws IllegalArgumentException when the dimensions differ
     */
    public FeatureAccumulator merge(FeatureAccumulator other) {
        if (other.dim != dim) {
            throw new IllegalArgumentException("cannot merge feature statistics of dimension " + other.dim
                    + " into dimension " + dim);
        }
        if (other.count > 0) {
            merge(other.count, other.mean.clone(), other.comoment.data.clone());
        }
        return this;
    }

    private void merge(long n2, double[] mean2, double[] comoment2) {
        long n1 = count;
        long n = n1 + n2;
        double[] delta = new double[dim];
        for (int j = 0; j < dim; j++) {
            delta[j] = mean2[j] - mean[j];
        }
        double w = (double) n1 * n2 / n;
        double[] m = comoment.data;
        for (int i = 0; i < dim; i++) {
            int row = i * dim;
            double di = delta[i] * w;
            for (int j = 0; j < dim; j++) {
                m[row + j] += comoment2[row + j] + di * delta[j];
            }
        }
        double f = (double) n2 / n;
        for (int j = 0; j < dim; j++) {
            mean[j] += delta[j] * f;
        }
        count = n;
    }

    /**
     * The statistics of everything added so far.
     *
     * @param extractor identity of the extractor that produced the features
     * @param source    description of the image set
     * @throws IllegalArgumentException when fewer than 2 vectors were added
     */
    public FeatureStatistics statistics(String extractor, String source) {
        if (count < 2) {
            throw new IllegalArgumentException("FID needs at least 2 images in " + (source == null ? "the set" : source)
                    + ", found " + count);
        }
        double[] cov = new double[dim * dim];
        double[] m = comoment.data;
        double d = count - 1;
        for (int i = 0; i < dim; i++) {
            for (int j = i; j < dim; j++) {
                double v = 0.5 * (m[i * dim + j] + m[j * dim + i]) / d;
                cov[i * dim + j] = v;
                cov[j * dim + i] = v;
            }
        }
        return new FeatureStatistics(count, mean.clone(), cov, extractor, source);
    }
}
