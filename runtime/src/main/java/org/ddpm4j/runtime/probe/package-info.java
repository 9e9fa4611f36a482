/**
 * The reference probe embedded in an exported model ({@code ddpm.probe.*} metadata): recording it
 * from any {@link org.ddpm4j.runtime.sampling.Denoiser} (the trainer's model at export time), and
 * re-running it with ONNX Runtime alone ({@link org.ddpm4j.runtime.probe.ProbeRunner}) to prove a
 * file still computes what its trainer computed.
 */
package org.ddpm4j.runtime.probe;
