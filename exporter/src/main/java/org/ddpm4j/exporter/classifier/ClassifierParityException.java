package org.ddpm4j.exporter.classifier;

/** ONNX Runtime and the DJL classifier disagree beyond tolerance; no file was kept. */
public final class ClassifierParityException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** With the figures that failed in the message. */
    public ClassifierParityException(String message) {
        super(message);
    }
}
