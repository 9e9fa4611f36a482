/**
 * Frechet Inception Distance (FID) in Java: feature statistics (mean and covariance, accumulated
 * in double), the Frechet distance between two Gaussians, a statistics file format, an ONNX
 * Runtime feature extractor, and the image sets it is measured on (image folders, Fashion-MNIST,
 * samples drawn from a model).
 *
 * <p>Start at {@link org.ddpm4j.fid.FidEvaluator}; the numerics are in
 * {@link org.ddpm4j.fid.FeatureAccumulator} and {@link org.ddpm4j.fid.FrechetDistance}.
 */
package org.ddpm4j.fid;
