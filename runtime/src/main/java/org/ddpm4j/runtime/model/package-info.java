/**
 * The model contract: which ONNX files the runtime accepts. {@link org.ddpm4j.runtime.model.MetadataKeys}
 * names the {@code ddpm.*} metadata keys, {@link org.ddpm4j.runtime.model.ModelInfo} parses them into a
 * schedule, a prediction type and an image shape, and {@link org.ddpm4j.runtime.model.ModelContract}
 * checks the graph's inputs and output. Nothing here needs ONNX Runtime, so the exporter and
 * {@code ddpm adopt} use the same rules.
 */
package org.ddpm4j.runtime.model;
