package org.ddpm4j.fid;

import java.util.List;

/**
 * Turns images into feature vectors for FID. The project's default is an ONNX model whose
 * penultimate-layer activations are a named output ({@link OnnxFeatureExtractor}); any other
 * network (Inception, a classifier of one's own) plugs in the same way.
 */
public interface FeatureExtractor extends AutoCloseable {

    /**
     * Identity of this extractor and its feature output (for example {@code sha256:0123abcd...#features}).
     * Statistics carry it, and statistics with different identities are never compared.
     */
    String id();

    /** The input the extractor takes (size, channels, range). */
    ExtractorInput input();

    /**
     * Features of a batch, image after image, each {@code dim} values long, where {@code dim} is the
     * same for every call.
     *
     * @return {@code images.size() * dim} values
     */
    float[] extract(List<FidImage> images);

    /**
     * Number of classes of the extractor's classifier scores (logits), or 0 when it has none; a
     * classifier's scores let the evaluator measure class accuracy (see {@link ClassAccuracy}).
     */
    default int classCount() {
        return 0;
    }

    /**
     * Features and, when {@link #classCount()} is positive, class scores of a batch, from one run of
     * the extractor.
     *
     * @return the features as {@link #extract} returns them, and {@code images.size() * classCount()}
     *         scores (null when the extractor has none)
     */
    default Extracted extractWithScores(List<FidImage> images) {
        return new Extracted(extract(images), null);
    }

    /**
     * What one extractor run gives for a batch.
     *
     * @param features the features, image after image
     * @param scores   the class scores (logits), image after image, or null
     */
    record Extracted(float[] features, float[] scores) {
    }

    /** Releases native resources. */
    @Override
    void close();
}
