/** {@code ddpm bench}: speed and memory measurements of training and sampling (ONNX Runtime paired with DJL). */
package org.ddpm4j.tools.bench;
