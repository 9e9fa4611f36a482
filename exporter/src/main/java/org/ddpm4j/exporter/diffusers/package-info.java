/**
 * Hugging Face diffusers folders in and out: {@link org.ddpm4j.exporter.diffusers.DiffusersPipeline}
 * (a {@code DDPMPipeline} folder to and from a {@link org.ddpm4j.exporter.ModelSource}),
 * {@link org.ddpm4j.exporter.diffusers.DiffusersScheduler} ({@code scheduler_config.json}) and
 * {@link org.ddpm4j.exporter.diffusers.ModelCard}. The UNet half of the mapping lives in the trainer's
 * {@link org.ddpm4j.trainer.model.DiffusersUnet}.
 */
package org.ddpm4j.exporter.diffusers;
