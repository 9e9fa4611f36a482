package org.ddpm4j.trainer.train;

/** The loss or the gradient became NaN or infinite: training stopped without saving that state. */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long step;

    public TrainingDivergedException(long step, String message) {
        super(message);
        this.step = step;
    }

    /** The 1-based step whose loss or gradient was not finite. */
    public long step() {
        return step;
    }
}
