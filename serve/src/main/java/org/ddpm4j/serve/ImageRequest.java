package org.ddpm4j.serve;

import java.util.Arrays;
import org.ddpm4j.runtime.sampling.TimestepSpacing;

/**
 * One checked {@code POST /v1/images} request: the images' seeds and class labels, and the sampler
 * settings they share. Made by {@link RequestParser}.
 *
 * @param seeds         one seed per image
 * @param labels        one class label per image, or null for an unconditional model
 * @param classFromSeed whether no class was named (each image has the class of its seed, s mod K)
 * @param key           the sampler settings (requests with equal keys are batched together)
 */
public record ImageRequest(long[] seeds, long[] labels, boolean classFromSeed, BatchKey key) {

    public ImageRequest {
        seeds = seeds.clone();
        labels = labels == null ? null : labels.clone();
        if (labels != null && labels.length != seeds.length) {
            throw new IllegalArgumentException(seeds.length + " seeds but " + labels.length + " labels");
        }
    }

    /** Number of images. */
    public int count() {
        return seeds.length;
    }

    /** The seed of image k. */
    public long seed(int k) {
        return seeds[k];
    }

    /** The class label of image k (the request must have labels). */
    public long label(int k) {
        return labels[k];
    }

    /** The sampler's name. */
    public String sampler() {
        return key.sampler();
    }

    /** Denoiser steps. */
    public int steps() {
        return key.steps();
    }

    /** Timestep spacing. */
    public TimestepSpacing spacing() {
        return key.spacing();
    }

    @Override
    public long[] seeds() {
        return seeds.clone();
    }

    @Override
    public long[] labels() {
        return labels == null ? null : labels.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageRequest r && Arrays.equals(seeds, r.seeds) && Arrays.equals(labels, r.labels)
                && classFromSeed == r.classFromSeed && key.equals(r.key);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(seeds) + Arrays.hashCode(labels) + key.hashCode();
    }

    @Override
    public String toString() {
        return count() + " image(s) from seed " + seeds[0] + ", " + key;
    }
}
