package org.ddpm4j.serve;

import org.ddpm4j.runtime.sampling.TimestepSpacing;

/**
 * The settings that decide the denoiser calls of a reverse loop. Requests with equal keys can share one
 * batch: their images differ only in seed (and class label), which the runtime keeps per image.
 *
 * @param sampler     the sampler's name
 * @param steps       denoiser steps
 * @param spacing     timestep spacing
 * @param eta         DDIM eta
 * @param guidance    classifier-free guidance scale (1 for an unconditional model)
 * @param conditional whether the images carry class labels
 */
public record BatchKey(String sampler, int steps, TimestepSpacing spacing, double eta, double guidance,
        boolean conditional) {
}
