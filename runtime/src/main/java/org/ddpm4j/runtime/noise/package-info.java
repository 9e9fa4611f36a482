/**
 * The seeded Gaussian noise that both the trainer and the samplers draw, one stream per image, so
 * that runs are bitwise reproducible and image k of a batch depends only on its own seed.
 */
package org.ddpm4j.runtime.noise;
