package org.ddpm4j.runtime.sampling;

/**
 * A noise predictor: given x_t and t for a batch, writes the model output (epsilon, x_0 or v, as
 * {@link #prediction()} says). Implemented by the ONNX Runtime model in the runtime and by the
 * DJL UNet in the trainer, so the same sampler code drives both.
 *
 * <p>Layout is NCHW, flattened: {@code sample.length == timesteps.length * channels * height * width}.
 */
public interface Denoiser {

    /** Image channels C. */
    int channels();

    /** Image height H. */
    int height();

    /** Image width W. */
    int width();

    /** What the output means. */
    default Prediction prediction() {
        return Prediction.EPSILON;
    }

    /**
     * Runs the model on a batch.
     *
     * @param sample    x_t, {@code B*C*H*W} values
     * @param timesteps t per image (code index 0..T-1), length B
     * @param out       receives the prediction, same length as {@code sample}
     */
    void predict(float[] sample, long[] timesteps, float[] out);

    /**
     * Number of classes K of a class-conditional model (labels 0..K-1, K the null label); 0 for an
     * unconditional one.
     */
    default int classCount() {
        return 0;
    }

    /**
     * Runs a class-conditional model on a batch with one class label per image (K, the null label,
     * for the unconditional prediction). {@link #predict(float[], long[], float[])} of a conditional
     * model uses the null label.
     *
     * @param labels one label per image, 0..K; null only for an unconditional model
     * @throws UnsupportedOperationException when labels are given to an unconditional model
     */
    default void predict(float[] sample, long[] timesteps, long[] labels, float[] out) {
        if (labels != null) {
            throw new UnsupportedOperationException("the model is unconditional: it takes no class labels");
        }
        predict(sample, timesteps, out);
    }
}
