package org.ddpm4j.runtime.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

/**
 * A caller's changes to ONNX Runtime's session options, applied after ddpm4j's own (optimisation level,
 * threads, device provider) and before the session is created: another execution provider, a spinning
 * policy ({@code session.intra_op.allow_spinning}), any config entry.
 */
@FunctionalInterface
public interface SessionCustomizer {

    /** Changes nothing. */
    SessionCustomizer NONE = options -> { };

    /**
     * Changes the options in place.
     *
     * @throws OrtException when ONNX Runtime refuses a setting (the model is then not opened)
     */
    void customize(OrtSession.SessionOptions options) throws OrtException;
}
