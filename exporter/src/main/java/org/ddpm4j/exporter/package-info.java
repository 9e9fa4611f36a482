/**
 * Turns trained UNet weights into one self-describing, self-verifying ONNX file
 * ({@link org.ddpm4j.exporter.ModelExporter}): the graph, the contract metadata, provenance, and a
 * probe recorded from the trainer's DJL model, checked against ONNX Runtime before the file is kept.
 */
package org.ddpm4j.exporter;
