package org.ddpm4j.fid;

import java.util.Objects;

/**
 * The Gaussian fitted to a set of feature vectors: their mean and (unbiased, divisor n-1)
 * covariance, in double, plus where they came from.
 *
 * @param count      number of feature vectors (images) the statistics were computed from, at least 2
 * @param mean       the mean, length {@code dim}
 * @param covariance the covariance, row-major {@code dim x dim}, symmetric
 * @param extractor  identity of the feature extractor that produced the features (statistics from
 *                   different extractors cannot be compared); empty when unknown
 * @param source     a human-readable description of the image set
 */
public record FeatureStatistics(long count, double[] mean, double[] covariance, String extractor, String source) {

    /** Validates the shapes and that every value is finite. */
    public FeatureStatistics {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(covariance, "covariance");
        extractor = extractor == null ? "" : extractor;
        source = source == null ? "" : source;
        if (mean.length == 0) {
            throw new IllegalArgumentException("feature statistics need at least one feature dimension, found 0");
        }
        if (covariance.length != (long) mean.length * mean.length) {
            throw new IllegalArgumentException("covariance must hold dim*dim = " + ((long) mean.length * mean.length)
                    + " values for dim " + mean.length + ", found " + covariance.length);
        }
        if (count < 2) {
            throw new IllegalArgumentException("feature statistics need at least 2 images, found " + count);
        }
        requireFinite("mean", mean);
        requireFinite("covariance", covariance);
    }

    /** Feature dimension. */
    public int dim() {
        return mean.length;
    }

    /**
     * The warning for a set with fewer images than features (its covariance is singular and the FID biased
     * upwards), naming the set as {@code label}; empty when there are enough images.
     */
    public java.util.Optional<String> fewImagesWarning(String label) {
        if (count >= dim()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(String.format(java.util.Locale.ROOT,
                "warning: %s has %d images, fewer than its %d features: its covariance is singular and the FID is "
                + "biased upwards; use at least %d images (1000 or more to compare models)", label, count, dim(), dim()));
    }

    /** Covariance entry (i, j). */
    public double covariance(int i, int j) {
        return covariance[i * mean.length + j];
    }

    /** The same statistics with another source description. */
    public FeatureStatistics withSource(String newSource) {
        return new FeatureStatistics(count, mean, covariance, extractor, newSource);
    }

    private static void requireFinite(String what, double[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException("feature statistics " + what + " must be finite, found "
                        + values[i] + " at index " + i);
            }
        }
    }

    @Override
    public String toString() {
        return "FeatureStatistics[count=" + count + ", dim=" + dim() + ", extractor=" + extractor
                + ", source=" + source + "]";
    }
}
