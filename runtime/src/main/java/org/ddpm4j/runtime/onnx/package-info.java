/**
 * ONNX Runtime behind the {@link org.ddpm4j.runtime.sampling.Denoiser} interface:
 * {@link org.ddpm4j.runtime.onnx.OnnxDenoiser} opens a contract model once (CPU or the CUDA provider),
 * checks it against the model contract, and runs it with preallocated, reused buffers.
 */
package org.ddpm4j.runtime.onnx;
