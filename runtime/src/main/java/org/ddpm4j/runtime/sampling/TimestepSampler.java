package org.ddpm4j.runtime.sampling;

import java.util.Arrays;
import java.util.concurrent.CancellationException;
import org.ddpm4j.runtime.noise.BatchNoise;
import org.ddpm4j.runtime.schedule.NoiseSchedule;

/**
 * The loop shared by the samplers: visit a fixed list of timesteps from high to low, call the
 * denoiser once per timestep, draw the step's noise (only when the step has any), and let the
 * subclass apply its update with {@link #step}.
 *
 * <p>A sampler holds no per-run state, so one instance may run on many threads at once. Per run it
 * allocates three image-sized arrays (model output, noise, and for multistep solvers the previous
 * x_0) once, never per step.
 */
public abstract class TimestepSampler implements Sampler {

    protected final NoiseSchedule schedule;
    protected final int[] timesteps;
    /** alpha_bar per step, from the levels (the schedule's at {@code timesteps[i]} unless a sigma spacing chose it). */
    protected final double[] alphaBars;
    protected final boolean clipSample;

    /** A sampler that visits the given training timesteps, with the schedule's alpha_bar there. */
    protected TimestepSampler(NoiseSchedule schedule, int[] timesteps, boolean clipSample) {
        this(schedule, NoiseLevels.atTimesteps(schedule, timesteps), clipSample);
    }

    /** A sampler that visits the given noise levels. */
    protected TimestepSampler(NoiseSchedule schedule, NoiseLevels levels, boolean clipSample) {
        this.schedule = schedule;
        this.timesteps = levels.timesteps();
        this.alphaBars = levels.alphaBars();
        this.clipSample = clipSample;
    }

    /** The noise levels visited. */
    public NoiseLevels levels() {
        return new NoiseLevels(timesteps, alphaBars);
    }

    /** alpha_bar of step i. */
    public double alphaBar(int i) {
        return alphaBars[i];
    }

    /** alpha_bar after step i: the next level's, or 1 (the clean image) after the last step. */
    public double alphaBarNext(int i) {
        return i + 1 < alphaBars.length ? alphaBars[i + 1] : 1.0;
    }

    @Override
    public int steps() {
        return timesteps.length;
    }

    /** The timesteps visited, in order (code indices, T-1 .. 0). */
    public int[] timesteps() {
        return timesteps.clone();
    }

    /** The training schedule this sampler reads its coefficients from. */
    public NoiseSchedule schedule() {
        return schedule;
    }

    /** Whether the predicted x_0 is clipped to [-1, 1]. */
    public boolean clipSample() {
        return clipSample;
    }

    /**
     * The variance of the strided posterior q(x_next | x_t, x_0) of step i:
     * (1 - ab_next) / (1 - ab_t) (1 - ab_t / ab_next); 0 for the step to the clean image.
     */
    public double stridedPosteriorVariance(int i) {
        double ab = alphaBar(i);
        double abNext = alphaBarNext(i);
        return (1.0 - abNext) / (1.0 - ab) * (1.0 - ab / abNext);
    }

    /** The timestep after step {@code i}, or -1 (the clean image) after the last step. */
    protected int previousTimestep(int i) {
        return i + 1 < timesteps.length ? timesteps[i + 1] : -1;
    }

    /**
     * The same sampler (kind, eta, variance, clipping) over other noise levels. Image-to-image runs the last
     * steps of a sampler through {@link #fromStep}; a multistep solver starts the new levels with a first-order
     * step, as a freshly set diffusers scheduler does.
     */
    public abstract TimestepSampler withLevels(NoiseLevels levels);

    /**
     * The steps {@code start .. steps()-1} of this sampler as a sampler of their own (the steps that
     * image-to-image runs after noising its image to level {@code start}).
     *
     * @throws IllegalArgumentException unless 0 &lt;= start &lt; steps()
     */
    public TimestepSampler fromStep(int start) {
        if (start < 0 || start >= timesteps.length) {
            throw new IllegalArgumentException("the first step must be in 0.." + (timesteps.length - 1) + ", found "
                    + start);
        }
        if (start == 0) {
            return this;
        }
        return withLevels(new NoiseLevels(Arrays.copyOfRange(timesteps, start, timesteps.length),
                Arrays.copyOfRange(alphaBars, start, alphaBars.length)));
    }

    /** Standard deviation of the noise step {@code i} adds (0 for a deterministic step). */
    public abstract double noiseScale(int i);

    /** Whether {@link #step} needs a history buffer (multistep solvers keep the previous x_0 there). */
    protected boolean usesHistory() {
        return false;
    }

    /**
     * One reverse step, in place: x_{t_i} to x_{t_{i+1}}.
     *
     * @param i           step index, 0 .. steps()-1
     * @param prediction  what {@code modelOutput} means
     * @param x           x_t on entry, x_prev on return ({@code n} values)
     * @param modelOutput the denoiser's output at (x, t_i)
     * @param z           standard normal noise for this step, or null when {@link #noiseScale}(i) is 0
     * @param history     per-run memory of {@code n} values for multistep solvers (null otherwise)
     */
    public abstract void step(int i, Prediction prediction, float[] x, float[] modelOutput, float[] z,
            float[] history);

    @Override
    public final void sample(Denoiser model, float[] x, BatchNoise noise, SamplingListener listener) {
        int batch = noise.batchSize();
        int per = model.channels() * model.height() * model.width();
        if (x.length != batch * per) {
            throw new IllegalArgumentException("x has " + x.length + " values, expected batch " + batch + " x "
                    + model.channels() + "x" + model.height() + "x" + model.width() + " = " + batch * per);
        }
        float[] out = new float[x.length];
        float[] z = null;
        float[] history = usesHistory() ? new float[x.length] : null;
        long[] t = new long[batch];
        Prediction prediction = model.prediction();
        for (int i = 0; i < timesteps.length; i++) {
            if (listener.isCancelled()) {
                throw new CancellationException("sampling cancelled at step " + i + " of " + timesteps.length);
            }
            Arrays.fill(t, timesteps[i]);
            model.predict(x, t, out);
            float[] stepNoise = null;
            if (noiseScale(i) > 0) {
                if (z == null) {
                    z = new float[x.length];
                }
                noise.fill(z);
                stepNoise = z;
            }
            step(i, prediction, x, out, stepNoise, history);
            listener.onStep(i + 1, timesteps.length, timesteps[i], x);
        }
    }
}
