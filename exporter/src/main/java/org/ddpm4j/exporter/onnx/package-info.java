/**
 * A small ONNX graph writer over the protobuf classes {@code ai.onnx.proto.OnnxMl}
 * ({@link org.ddpm4j.exporter.onnx.OnnxGraphBuilder}), and the UNet of
 * {@link org.ddpm4j.trainer.model.UnetSpec} written with it ({@link org.ddpm4j.exporter.onnx.UnetGraph}).
 */
package org.ddpm4j.exporter.onnx;
