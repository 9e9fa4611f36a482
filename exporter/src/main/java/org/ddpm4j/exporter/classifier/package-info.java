/**
 * Exports the feature classifier of {@code org.ddpm4j.trainer.classifier} as an ONNX FID feature
 * extractor ({@code features} and {@code logits} outputs, {@code fid.*} metadata), with a parity
 * check between DJL and ONNX Runtime before the file is kept.
 */
package org.ddpm4j.exporter.classifier;
