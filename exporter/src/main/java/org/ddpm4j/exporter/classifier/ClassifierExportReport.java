package org.ddpm4j.exporter.classifier;

import java.nio.file.Path;

/**
 * What an extractor export wrote and measured.
 *
 * @param file          the ONNX file
 * @param bytes         its size
 * @param parameters    learnable values
 * @param featuresError largest |DJL - ONNX Runtime| of {@code features}, relative to max(1, max |DJL|)
 * @param logitsError   the same for {@code logits}
 * @param tolerance     the bound both errors had to meet
 * @param parityImages  images compared
 * @param millis        wall time of the export
 */
public record ClassifierExportReport(Path file, long bytes, long parameters, double featuresError,
        double logitsError, double tolerance, int parityImages, long millis) {
}
