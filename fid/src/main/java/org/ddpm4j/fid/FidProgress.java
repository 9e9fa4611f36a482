package org.ddpm4j.fid;

/** Progress of a statistics computation (the CLI draws a progress bar from it). */
public interface FidProgress {

    /** Does nothing. */
    FidProgress NONE = new FidProgress() {
    };

    /** Work on {@code label} starts; {@code total} images, or -1 when unknown. */
    default void start(String label, long total) {
    }

    /** {@code images} more images are done. */
    default void advance(long images) {
    }

    /** The work on the current set ended. */
    default void end() {
    }
}
