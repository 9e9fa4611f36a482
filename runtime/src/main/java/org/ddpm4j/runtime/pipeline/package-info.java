/**
 * The embeddable API: open a model once with {@link org.ddpm4j.runtime.pipeline.DiffusionPipeline},
 * then {@link org.ddpm4j.runtime.pipeline.DiffusionPipeline#generate generate} images from any number of
 * threads, one seed per image.
 */
package org.ddpm4j.runtime.pipeline;
