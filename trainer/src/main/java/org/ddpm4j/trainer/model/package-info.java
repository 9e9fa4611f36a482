/**
 * The DDPM UNet: its description as data ({@link org.ddpm4j.trainer.model.UnetSpec}), the DJL
 * model built from it ({@link org.ddpm4j.trainer.model.UnetModel}) and a runtime
 * {@link org.ddpm4j.runtime.sampling.Denoiser} adapter, and its mapping to and from Hugging Face
 * diffusers' {@code UNet2DModel} ({@link org.ddpm4j.trainer.model.DiffusersUnet}).
 */
package org.ddpm4j.trainer.model;
