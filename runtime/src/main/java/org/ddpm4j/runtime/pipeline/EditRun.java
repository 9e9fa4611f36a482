package org.ddpm4j.runtime.pipeline;

import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.noise.BatchNoise;
import org.ddpm4j.runtime.noise.GaussianNoise;
import org.ddpm4j.runtime.noise.Slerp;
import org.ddpm4j.runtime.sampling.Denoiser;
import org.ddpm4j.runtime.sampling.ImageToImage;
import org.ddpm4j.runtime.sampling.RePaint;
import org.ddpm4j.runtime.sampling.SamplingListener;
import org.ddpm4j.runtime.sampling.TimestepSampler;

/**
 * How {@link DiffusionPipeline} runs one request's batches: plain sampling from the seeds' noise, or one of the
 * {@link ImageEdit} modes. Everything that can be checked without computing (image sizes, the sampler a mode
 * needs) is checked when the run is made.
 */
final class EditRun {

    private final ImageEdit edit;
    private final TimestepSampler sampler;
    /** The sampler image-to-image runs (the last steps), null when it runs none. */
    private final TimestepSampler tail;
    private final int firstStep;
    private final RePaint repaint;
    private final int per;
    private final int plane;
    private final int count;
    private float[] noiseA;
    private float[] noiseB;

    private EditRun(ImageEdit edit, TimestepSampler sampler, ModelInfo info, int count) {
        this.edit = edit;
        this.sampler = sampler;
        this.per = info.imageValues();
        this.plane = info.height() * info.width();
        this.count = count;
        String size = info.channels() + "x" + info.height() + "x" + info.width();
        if (edit instanceof ImageEdit.ImageToImage i) {
            checkImages(i.init().length, "image-to-image", size);
            firstStep = ImageToImage.firstStep(sampler.steps(), i.strength());
            tail = firstStep < sampler.steps() ? sampler.fromStep(firstStep) : null;
            repaint = null;
        } else if (edit instanceof ImageEdit.Inpainting p) {
            checkImages(p.init().length, "inpainting", size);
            int masks = p.mask().length / plane;
            if (p.mask().length % plane != 0 || (masks != 1 && masks != count)) {
                throw new IllegalArgumentException("inpainting: the mask has " + p.mask().length + " values, expected "
                        + info.height() + "x" + info.width() + " = " + plane + " (one mask) or " + count + " x " + plane);
            }
            repaint = new RePaint(sampler, p.jumpLength(), p.jumpNSample());
            firstStep = 0;
            tail = sampler;
        } else if (edit instanceof ImageEdit.Interpolation) {
            for (int i = 0; i < sampler.steps(); i++) {
                if (sampler.noiseScale(i) > 0) {
                    throw new IllegalArgumentException("interpolation needs a deterministic sampler (ddim with eta 0,"
                            + " or dpmpp): " + sampler + " draws fresh noise at step " + i
                            + ", so the frames would not change smoothly");
                }
            }
            repaint = null;
            firstStep = 0;
            tail = sampler;
        } else {
            repaint = null;
            firstStep = 0;
            tail = sampler;
        }
    }

    /** The run of {@code request}'s edit (or of plain sampling) with {@code sampler}. */
    static EditRun of(GenerationRequest request, TimestepSampler sampler, ModelInfo info) {
        EditRun run = new EditRun(request.edit(), sampler, info, request.count());
        if (request.edit() instanceof ImageEdit.Interpolation i) {
            run.noiseA = new float[run.per];
            new GaussianNoise(i.seedA()).fill(run.noiseA);
            run.noiseB = new float[run.per];
            new GaussianNoise(i.seedB()).fill(run.noiseB);
        }
        return run;
    }

    private void checkImages(int values, String what, String size) {
        int images = values / per;
        if (values % per != 0 || (images != 1 && images != count)) {
            throw new IllegalArgumentException(what + ": the image has " + values + " values, expected the model's "
                    + size + " = " + per + " (one image for all) or " + count + " x " + per + " (one per image)");
        }
    }

    /** Denoiser calls per image. */
    int calls() {
        return repaint != null ? repaint.modelCalls() : tail == null ? 0 : tail.steps();
    }

    /** What ran, for the result and the PNG's {@code ddpm.sampler}. */
    String describe() {
        if (edit instanceof ImageEdit.ImageToImage i) {
            return sampler + ", image-to-image strength " + i.strength() + (tail == null
                    ? " (no step left: the image unchanged)" : " (steps " + firstStep + ".." + (sampler.steps() - 1) + ")");
        }
        if (repaint != null) {
            return repaint.toString();
        }
        return sampler.toString();
    }

    /**
     * Runs images {@code first .. first + b - 1}.
     *
     * @param x the batch's starting noise (each image's first draws) on entry, the images on return
     */
    void run(Denoiser model, float[] x, int first, BatchNoise noise, SamplingListener listener) {
        int b = noise.batchSize();
        if (edit instanceof ImageEdit.ImageToImage i) {
            float[] init = batchOf(i.init(), first, b, per);
            if (tail == null) {
                System.arraycopy(init, 0, x, 0, x.length);
                return;
            }
            if (firstStep > 0) {
                ImageToImage.addNoise(x, init, tail.alphaBar(0));
            }
            tail.sample(model, x, noise, listener);
        } else if (edit instanceof ImageEdit.Inpainting p) {
            float[] known = batchOf(p.init(), first, b, per);
            float[] masks = batchOf(p.mask(), first, b, plane);
            float[] keep = new float[x.length];
            int channels = per / plane;
            for (int k = 0; k < b; k++) {
                for (int c = 0; c < channels; c++) {
                    for (int q = 0; q < plane; q++) {
                        keep[k * per + c * plane + q] = masks[k * plane + q] == 0f ? 1f : 0f;
                    }
                }
            }
            repaint.inpaint(model, x, known, keep, noise, listener);
        } else if (edit instanceof ImageEdit.Interpolation i) {
            double[] positions = i.positions();
            for (int k = 0; k < b; k++) {
                Slerp.interpolate(noiseA, noiseB, positions[first + k], x, k * per);
            }
            tail.sample(model, x, noise, listener);
        } else {
            tail.sample(model, x, noise, listener);
        }
    }

    /** Images {@code first .. first + b - 1} of {@code all} (one image of {@code size} values repeats). */
    private static float[] batchOf(float[] all, int first, int b, int size) {
        float[] out = new float[b * size];
        boolean one = all.length == size;
        for (int k = 0; k < b; k++) {
            System.arraycopy(all, one ? 0 : (first + k) * size, out, k * size, size);
        }
        return out;
    }
}
