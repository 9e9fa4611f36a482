package org.ddpm4j.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import org.ddpm4j.runtime.sampling.Denoiser;
import org.ddpm4j.runtime.sampling.Prediction;

/**
 * A {@link Denoiser} over a {@link UnetModel}: inference mode (no dropout, no gradient recording),
 * so the runtime's samplers can drive the DJL model. Not thread-safe.
 */
public final class UnetDenoiser implements Denoiser {

    private final UnetModel model;
    private final Prediction prediction;

    /** Wraps {@code model}; the model stays owned by the caller. */
    public UnetDenoiser(UnetModel model) {
        this(model, Prediction.EPSILON);
    }

    /** Wraps {@code model}, trained to predict {@code prediction}; the model stays owned by the caller. */
    public UnetDenoiser(UnetModel model, Prediction prediction) {
        this.model = model;
        this.prediction = prediction;
    }

    @Override
    public int channels() {
        return model.spec().inChannels();
    }

    @Override
    public int height() {
        return model.spec().imageSize();
    }

    @Override
    public int width() {
        return model.spec().imageSize();
    }

    @Override
    public Prediction prediction() {
        return prediction;
    }

    @Override
    public int classCount() {
        return model.spec().classCount();
    }

    @Override
    public void predict(float[] sample, long[] timesteps, float[] out) {
        predict(sample, timesteps, null, out);
    }

    @Override
    public void predict(float[] sample, long[] timesteps, long[] labels, float[] out) {
        int b = timesteps.length;
        int c = channels();
        int hw = height() * width();
        if (sample.length != (long) b * c * hw || out.length != sample.length) {
            throw new IllegalArgumentException("expected " + b + " images of " + c + "x" + height() + "x" + width()
                    + " (" + (long) b * c * hw + " values) in and out, found " + sample.length + " in and "
                    + out.length + " out");
        }
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager m = model.manager().newSubManager()) {
            NDArray x = m.create(sample, new Shape(b, c, height(), width()));
            float[] tf = new float[b];
            for (int i = 0; i < b; i++) {
                tf[i] = timesteps[i];
            }
            NDArray t = m.create(tf);
            NDArray y = model.forward(x, t, labels, false);
            System.arraycopy(y.toFloatArray(), 0, out, 0, out.length);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }
}
