package org.ddpm4j.fid;

/**
 * What {@link FidEvaluator#measure} finds for an image set: its feature statistics and, for images
 * drawn for classes (a class-conditional model's samples) measured with a classifier extractor, their
 * class accuracy.
 *
 * @param statistics    the feature statistics
 * @param accuracy      the class accuracy, or null when it does not apply
 * @param accuracyNote  why there is no class accuracy (empty when there is one)
 */
public record SetMeasurement(FeatureStatistics statistics, ClassAccuracy accuracy, String accuracyNote) {

    /** Whether a class accuracy was measured. */
    public boolean hasAccuracy() {
        return accuracy != null;
    }
}
