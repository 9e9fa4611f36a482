package org.ddpm4j.spark;

import java.io.Serializable;
import org.ddpm4j.fid.FeatureAccumulator;

/**
 * What a FID task sends back: its features' accumulator (null when it saw no image), or the first image it
 * could not read and why.
 *
 * @param acc       the accumulator, or null
 * @param badImage  the path of an image that could not be read, or null
 * @param reason    why it could not be read, or null
 */
record FidPart(FeatureAccumulator acc, String badImage, String reason) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Both parts together: an unreadable image wins (the first of the two), else the merged accumulators. */
    FidPart merge(FidPart other) {
        if (badImage != null) {
            return this;
        }
        if (other.badImage != null) {
            return other;
        }
        if (acc == null) {
            return other;
        }
        if (other.acc == null) {
            return this;
        }
        return new FidPart(acc.merge(other.acc), null, null);
    }
}
