package org.ddpm4j.runtime.sampling;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.ddpm4j.runtime.noise.BatchNoise;

/**
 * Inpainting by RePaint (Lugmayr et al. 2022, Algorithm 1) around an ancestral sampler (DDPM, or DDIM with any
 * eta). Each reverse step denoises the whole image with the sampler and then replaces the known pixels with the
 * known image noised to the step's new level, {@code sqrt(ab) x_known + sqrt(1 - ab) z}, with the step's own
 * draw z (as diffusers' {@code RePaintScheduler.step} does). The resampling schedule jumps back: after reaching
 * certain levels, the image is noised forward again {@code jumpLength} levels and those steps are repeated,
 * {@code jumpNSample - 1} times, so the generated region can agree with the known one.
 *
 * <p>The schedule is diffusers' {@code RePaintScheduler.set_timesteps(n, jump_length, jump_n_sample)} read in
 * the sampler's steps ({@link #jumpSchedule}): position u = n-1 .. 0 is the sampler's step {@code n-1-u}. A jump
 * forward from level i+1 back to level i draws one z and sets {@code x = sqrt(ab_i / ab_{i+1}) x + sqrt(1 - ab_i /
 * ab_{i+1}) z} (ab = 1 after the last step): q(x_i | x_{i+1}) of the two levels. diffusers' {@code undo_step}
 * instead applies the single-timestep betas {@code t .. t + T/n - 1} with one draw each, which is the same
 * thing when n = T and otherwise starts T/n - 1 timesteps too high; see the class comment of the golden test.
 *
 * <p>Masks here are diffusers': {@code keep} is 1 for a known pixel and 0 for one to regenerate. The last step
 * lands on ab = 1, so the known pixels of the result equal the known image exactly. Multistep solvers
 * (DPM-Solver++) are refused: their step reuses the previous step's x_0 estimate, which a jump back in time
 * makes stale. Holds no per-run state.
 */
public final class RePaint {

    private final TimestepSampler sampler;
    private final int jumpLength;
    private final int jumpNSample;
    private final int[] schedule;

    /**
     * @param sampler     a {@link DdpmSampler} or {@link DdimSampler}
     * @param jumpLength  levels jumped back each time (diffusers' {@code jump_length}, RePaint's j), at least 1
     * @param jumpNSample times each jump point is visited (diffusers' {@code jump_n_sample}, RePaint's r); 1 = no
     *                    resampling
     * @throws IllegalArgumentException for another sampler or a length or count below 1
     */
    public RePaint(TimestepSampler sampler, int jumpLength, int jumpNSample) {
        check(sampler);
        if (jumpLength < 1) {
            throw new IllegalArgumentException("jump length must be at least 1, found " + jumpLength);
        }
        if (jumpNSample < 1) {
            throw new IllegalArgumentException("jump n-sample must be at least 1 (1 = no resampling), found "
                    + jumpNSample);
        }
        this.sampler = sampler;
        this.jumpLength = jumpLength;
        this.jumpNSample = jumpNSample;
        this.schedule = jumpSchedule(sampler.steps(), jumpLength, jumpNSample);
    }

    /**
     * Refuses samplers RePaint is not defined for.
     *
     * @throws IllegalArgumentException for a multistep solver
     */
    public static void check(TimestepSampler sampler) {
        if (!(sampler instanceof DdpmSampler) && !(sampler instanceof DdimSampler)) {
            throw new IllegalArgumentException("inpainting (RePaint) needs an ancestral sampler, ddpm or ddim; "
                    + sampler + " is a multistep solver whose step reuses the previous x_0 estimate, which"
                    + " RePaint's jumps back in time make stale");
        }
    }

    /**
     * diffusers' {@code RePaintScheduler.set_timesteps} schedule, in steps: from n-1 down to 0, where at every
     * multiple j of {@code jumpLength} below {@code n - jumpLength} the walk goes back up {@code jumpLength}
     * positions, {@code jumpNSample - 1} times. A position lower than the one before is a reverse step at it,
     * a higher one a jump forward by one level.
     */
    public static int[] jumpSchedule(int steps, int jumpLength, int jumpNSample) {
        Map<Integer, Integer> jumps = new HashMap<>();
        for (int j = 0; j < steps - jumpLength; j += jumpLength) {
            jumps.put(j, jumpNSample - 1);
        }
        List<Integer> out = new ArrayList<>();
        int t = steps;
        while (t >= 1) {
            t--;
            out.add(t);
            if (jumps.getOrDefault(t, 0) > 0) {
                jumps.put(t, jumps.get(t) - 1);
                for (int k = 0; k < jumpLength; k++) {
                    t++;
                    out.add(t);
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The schedule this instance walks ({@link #jumpSchedule}). */
    public int[] schedule() {
        return schedule.clone();
    }

    /** Denoiser calls per image: the reverse steps of the schedule. */
    public int modelCalls() {
        int calls = 0;
        int last = schedule[0] + 1;
        for (int u : schedule) {
            if (u < last) {
                calls++;
            }
            last = u;
        }
        return calls;
    }

    public TimestepSampler sampler() {
        return sampler;
    }

    public int jumpLength() {
        return jumpLength;
    }

    public int jumpNSample() {
        return jumpNSample;
    }

    /**
     * Runs RePaint.
     *
     * @param model    the denoiser
     * @param x        x_T on entry (the batch's starting noise), the result on return
     * @param known    the known images, as many values as {@code x}
     * @param keep     1 where a value is known (kept), 0 where it is regenerated; as many values as {@code x}
     * @param noise    per-image noise streams: one draw per reverse step (the sampler's noise and the known
     *                 part's share it), one per jump forward
     * @param listener told after every denoiser call; polled for cancellation
     */
    public void inpaint(Denoiser model, float[] x, float[] known, float[] keep, BatchNoise noise,
            SamplingListener listener) {
        int batch = noise.batchSize();
        int per = model.channels() * model.height() * model.width();
        if (x.length != batch * per || known.length != x.length || keep.length != x.length) {
            throw new IllegalArgumentException("x, the known images and the mask need " + batch * per + " values ("
                    + batch + " x " + per + "), found " + x.length + ", " + known.length + " and " + keep.length);
        }
        int n = sampler.steps();
        int calls = modelCalls();
        float[] out = new float[x.length];
        float[] z = new float[x.length];
        long[] t = new long[batch];
        Prediction prediction = model.prediction();
        int position = 0; // the level x is at: step index of the next call, n = the clean image
        int done = 0;
        int last = schedule[0] + 1;
        for (int u : schedule) {
            if (listener.isCancelled()) {
                throw new CancellationException("inpainting cancelled after " + done + " of " + calls + " calls");
            }
            if (u < last) {
                int i = n - 1 - u;
                if (i != position) {
                    throw new IllegalStateException("schedule step " + i + " reached at level " + position);
                }
                Arrays.fill(t, sampler.timesteps[i]);
                model.predict(x, t, out);
                noise.fill(z);
                sampler.step(i, prediction, x, out, sampler.noiseScale(i) > 0 ? z : null, null);
                double ab = sampler.alphaBarNext(i);
                double a = Math.sqrt(ab);
                double s = Math.sqrt(1.0 - ab);
                for (int k = 0; k < x.length; k++) {
                    if (keep[k] != 0f) {
                        x[k] = (float) (a * known[k] + s * z[k]);
                    }
                }
                position = i + 1;
                listener.onStep(++done, calls, sampler.timesteps[i], x);
            } else {
                double ratio = sampler.alphaBar(position - 1) / (position < n ? sampler.alphaBar(position) : 1.0);
                double a = Math.sqrt(ratio);
                double s = Math.sqrt(1.0 - ratio);
                noise.fill(z);
                for (int k = 0; k < x.length; k++) {
                    x[k] = (float) (a * x[k] + s * z[k]);
                }
                position--;
            }
            last = u;
        }
    }

    @Override
    public String toString() {
        return "repaint(" + sampler + ", jump length " + jumpLength + ", jump n-sample " + jumpNSample + ", "
                + modelCalls() + " calls)";
    }
}
