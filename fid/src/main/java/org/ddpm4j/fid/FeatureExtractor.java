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

    /** Releases native resources. */
    @Override
    void close();
}
