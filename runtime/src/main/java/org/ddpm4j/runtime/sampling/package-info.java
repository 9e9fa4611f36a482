/**
 * The reverse process: the {@link org.ddpm4j.runtime.sampling.Denoiser} interface that the ONNX
 * Runtime model and the trainer's DJL model both implement, and the samplers (DDPM ancestral and
 * strided, DDIM, DPM-Solver++ 2M) written one method per equation with injectable noise.
 */
package org.ddpm4j.runtime.sampling;
