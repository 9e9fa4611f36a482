package org.ddpm4j.tools;

/** A check ran and failed (verify, parity): exit code {@link DdpmCommand#EXIT_CHECK_FAILED}. */
public final class CheckFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckFailedException(String message) {
        super(message);
    }
}
