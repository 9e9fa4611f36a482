/**
 * Turns trained UNet weights into one self-describing, self-verifying ONNX file
 * ({@link org.ddpm4j.exporter.ModelExporter}): the graph, the contract metadata, provenance, and a
 * probe recorded from the trainer's DJL model, checked against ONNX Runtime before the file is kept.
 * The weights come from a checkpoint or a Hugging Face diffusers folder
 * ({@link org.ddpm4j.exporter.ModelSource}); {@code diffusers} writes and reads such folders.
 */
package org.ddpm4j.exporter;
