package org.ddpm4j.fid;

import java.util.Arrays;

/**
 * Class accuracy of images drawn for given classes: the share that a classifier (the feature
 * extractor's class scores) assigns to the class each image was asked for. The assigned class is the
 * highest score (the first of equal ones).
 *
 * @param correct    images assigned to their asked-for class
 * @param total      images counted
 * @param hitsByClass per asked-for class, the images assigned to it
 * @param askedByClass per asked-for class, the images asked for
 */
public record ClassAccuracy(long correct, long total, long[] hitsByClass, long[] askedByClass) {

    /** Validates the counts. */
    public ClassAccuracy {
        if (hitsByClass.length != askedByClass.length) {
            throw new IllegalArgumentException("per-class counts must have one length, found " + hitsByClass.length
                    + " and " + askedByClass.length);
        }
        if (correct < 0 || correct > total) {
            throw new IllegalArgumentException("correct must be in 0.." + total + ", found " + correct);
        }
        hitsByClass = hitsByClass.clone();
        askedByClass = askedByClass.clone();
    }

    /** The share correct / total, in [0, 1] (NaN when no image was counted). */
    public double share() {
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    @Override
    public long[] hitsByClass() {
        return hitsByClass.clone();
    }

    @Override
    public long[] askedByClass() {
        return askedByClass.clone();
    }

    @Override
    public String toString() {
        return correct + "/" + total + " " + Arrays.toString(hitsByClass) + "/" + Arrays.toString(askedByClass);
    }

    /** Counts hits batch by batch. */
    public static final class Counter {
        private final int classes;
        private final long[] hits;
        private final long[] asked;

        /** A counter for a classifier of {@code classes} classes. */
        public Counter(int classes) {
            if (classes <= 0) {
                throw new IllegalArgumentException("class count must be positive, found " + classes);
            }
            this.classes = classes;
            this.hits = new long[classes];
            this.asked = new long[classes];
        }

        /**
         * Adds a batch.
         *
         * @param labels the asked-for class of each image, 0..classes-1
         * @param scores {@code labels.length * classes} scores, image after image
         */
        public void add(int[] labels, float[] scores) {
            if (scores.length != labels.length * classes) {
                throw new IllegalArgumentException("expected " + classes + " scores for each of " + labels.length
                        + " images (" + (labels.length * classes) + "), found " + scores.length);
            }
            for (int i = 0; i < labels.length; i++) {
                int label = labels[i];
                if (label < 0 || label >= classes) {
                    throw new IllegalArgumentException("image label " + label + " is not a class of the classifier: expected 0.."
                            + (classes - 1));
                }
                asked[label]++;
                if (argmax(scores, i * classes, classes) == label) {
                    hits[label]++;
                }
            }
        }

        /** The accuracy so far. */
        public ClassAccuracy result() {
            return new ClassAccuracy(Arrays.stream(hits).sum(), Arrays.stream(asked).sum(), hits, asked);
        }

        private static int argmax(float[] v, int offset, int n) {
            int best = 0;
            for (int k = 1; k < n; k++) {
                if (v[offset + k] > v[offset + best]) {
                    best = k;
                }
            }
            return best;
        }
    }
}
