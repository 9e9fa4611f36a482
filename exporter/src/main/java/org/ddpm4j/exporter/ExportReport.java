package org.ddpm4j.exporter;

import java.nio.file.Path;
import org.ddpm4j.exporter.onnx.WeightPrecision;
import org.ddpm4j.runtime.probe.ProbeResult;

/**
 * What an export produced.
 *
 * @param file             the ONNX file written
 * @param bytes            its size
 * @param millis           wall time of the whole export (graph, probe, parity)
 * @param parity           ONNX Runtime (optimized) against the trainer on the probe
 * @param optimizationDiff max abs difference of the forward probe between graph optimizations on and off
 * @param parameterCount   learnable values
 * @param precision        how the weights are stored
 * @param weightsSha256    fingerprint of the stored weights ({@code ddpm.weights_sha256})
 */
public record ExportReport(Path file, long bytes, long millis, ProbeResult parity, double optimizationDiff,
        long parameterCount, WeightPrecision precision, String weightsSha256) {
}
