package org.ddpm4j.exporter;

import org.ddpm4j.runtime.probe.ProbeResult;

/** The exported file does not compute what the trainer computed within tolerance; no file was kept. */
public final class ParityFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ProbeResult result;

    public ParityFailedException(String message, ProbeResult result) {
        super(message);
        this.result = result;
    }

    /** The figures that failed. */
    public ProbeResult result() {
        return result;
    }
}
