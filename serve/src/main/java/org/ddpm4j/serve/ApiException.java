package org.ddpm4j.serve;

/**
 * A request the service answers with an error status and one line saying why: 400 for bad input, 503
 * (with {@code Retry-After}) when the queue is full, the request timed out or the server is stopping.
 */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String reason;
    private final int retryAfterSeconds;

    private ApiException(int status, String reason, String message, int retryAfterSeconds) {
        super(message);
        this.status = status;
        this.reason = reason;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400: bad input, named in {@code message}. */
    public static ApiException badRequest(String message) {
        return new ApiException(400, "bad_request", message, 0);
    }

    /** 503: the queue holds too many images. */
    public static ApiException queueFull(String message, int retryAfterSeconds) {
        return new ApiException(503, "queue_full", message, retryAfterSeconds);
    }

    /** 503: the request waited longer than the server's timeout. */
    public static ApiException timeout(String message) {
        return new ApiException(503, "timeout", message, 1);
    }

    /** 503: the server is stopping and takes no new work. */
    public static ApiException shuttingDown() {
        return new ApiException(503, "shutting_down", "the server is shutting down and takes no new requests", 5);
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** A short label for metrics: bad_request, queue_full, timeout, shutting_down. */
    public String reason() {
        return reason;
    }

    /** Seconds for the {@code Retry-After} header; 0 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
