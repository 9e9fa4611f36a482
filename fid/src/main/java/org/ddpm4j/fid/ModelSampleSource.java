package org.ddpm4j.fid;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ddpm4j.runtime.image.ImageTensors;
import org.ddpm4j.runtime.model.ClassLabels;
import org.ddpm4j.runtime.model.MetadataKeys;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.runtime.pipeline.GenerationRequest;
import org.ddpm4j.runtime.pipeline.GenerationResult;

/**
 * Images drawn from a model with the runtime's {@link DiffusionPipeline}, a batch at a time. Image k
 * uses seed {@code seed + k}, so the set is the same whatever the batch size, and it is the set
 * {@code ddpm sample} would write with the same seeds. Samples are quantised to 8 bits exactly as
 * PNG files of them would be, so measuring a folder of written samples gives the same statistics.
 *
 * <p>A class-conditional model's image k is drawn for class {@code (seed + k) mod K}, as {@code ddpm
 * sample} draws that seed (or for the one class the set names, or the null label for {@code none}) with
 * the set's guidance scale (1 when not given), and carries that class as its {@link FidImage#label()}. An unconditional model refuses guidance and class settings.
 */
public final class ModelSampleSource implements ImageSource {

    private final DiffusionPipeline pipeline;
    private final boolean owned;
    private final ImageSet.ModelSamples spec;
    private final int count;
    private final int end;
    private final int batch;
    private final int classCount;
    private final long fixedClass;
    private final ClassLabels classLabels;
    private final double guidance;
    private int position;

    /**
     * Draws {@code count} samples from {@code pipeline} (not closed by {@link #close()}).
     *
     * @param batch images per denoiser call
     */
    public ModelSampleSource(DiffusionPipeline pipeline, ImageSet.ModelSamples spec, int count, int batch) {
        this(pipeline, false, spec, 0, count, batch);
    }

    /**
     * Draws images {@code first .. first+count-1} of the set (seeds {@code seed + first ...}, classes as
     * image {@code first ...} of the whole set gets them) from {@code pipeline} (not closed by
     * {@link #close()}); a part of a set drawn elsewhere in parts, as the Spark job does.
     *
     * @param batch images per denoiser call
     */
    public ModelSampleSource(DiffusionPipeline pipeline, ImageSet.ModelSamples spec, int first, int count, int batch) {
        this(pipeline, false, spec, first, count, batch);
    }

    private ModelSampleSource(DiffusionPipeline pipeline, boolean owned, ImageSet.ModelSamples spec, int first, int count,
            int batch) {
        if (count <= 0 || batch <= 0) {
            throw new IllegalArgumentException("sample count and batch must be positive, found " + count + " and " + batch);
        }
        if (first < 0) {
            throw new IllegalArgumentException("first image must be >= 0, found " + first);
        }
        this.pipeline = pipeline;
        this.owned = owned;
        this.spec = spec;
        this.position = first;
        this.count = count;
        this.end = Math.addExact(first, count);
        this.batch = batch;
        ModelInfo info = pipeline.info();
        if (info.conditional()) {
            ClassLabels classes = ClassLabels.of(info);
            this.classCount = classes.count();
            String which = spec.classes();
            this.classLabels = classes;
            this.fixedClass = which == null || which.trim().equalsIgnoreCase(ImageSet.ALL_CLASSES) ? -1
                    : classes.choose(which);
            this.guidance = spec.guidance() == null ? 1.0 : spec.guidance();
            if (fixedClass == classes.nullLabel() && guidance != 1.0) {
                throw new IllegalArgumentException("'" + spec.label() + "': guidance " + guidance + " needs a class;"
                        + " class=none draws the model without one, where guidance changes nothing");
            }
        } else {
            if (spec.asksForClasses()) {
                throw new IllegalArgumentException("'" + spec.label() + "': " + spec.model().getFileName()
                        + " is an unconditional model (no " + MetadataKeys.CLASS_COUNT + "): guidance (@wW, guidance=W)"
                        + ", @none and class= need a class-conditional one");
            }
            this.classCount = 0;
            this.classLabels = null;
            this.fixedClass = -1;
            this.guidance = 1.0;
        }
        request(1); // checks sampler name, steps and eta against the model before any work
    }

    /** A factory that opens each model file with {@code options} and closes it with the source. */
    public static SampleSourceFactory factory(OnnxOptions options) {
        return factory(options, 1);
    }

    /**
     * A factory that opens each model file with {@code options}, sampling {@code parallelBatches} batches at once
     * ({@link DiffusionPipeline#open(Path, OnnxOptions, int)}), and closes it with the source.
     */
    public static SampleSourceFactory factory(OnnxOptions options, int parallelBatches) {
        if (parallelBatches < 1) {
            throw new IllegalArgumentException("parallel batches must be at least 1, found " + parallelBatches);
        }
        return (spec, count, batch) -> {
            DiffusionPipeline pipeline = DiffusionPipeline.open(spec.model(), options, parallelBatches);
            try {
                return new ModelSampleSource(pipeline, true, spec, 0, count, batch);
            } catch (RuntimeException e) {
                pipeline.close();
                throw e;
            }
        };
    }

    private GenerationRequest request(int n) {
        GenerationRequest.Builder b = GenerationRequest.builder()
                .optSampler(spec.sampler())
                .optSteps(spec.steps())
                .optSeeds(spec.seed() + position, n)
                .optBatchSize(Math.min(batch, n));
        if (spec.eta() != 0.0) {
            b.optEta(spec.eta());
        }
        if (classCount > 0) {
            b.optClassLabels(labels(n)).optGuidance(guidance);
        }
        GenerationRequest r = b.build();
        pipeline.sampler(r); // validates steps against the model's T
        return r;
    }

    /** The classes of images {@code position .. position+n-1}. */
    private long[] labels(int n) {
        long[] labels = new long[n];
        for (int k = 0; k < n; k++) {
            labels[k] = fixedClass >= 0 ? fixedClass : classLabels.bySeed(spec.seed() + position + k);
        }
        return labels;
    }

    @Override
    public int classCount() {
        // the null label's images were drawn for no class (class=none): nothing to score
        return fixedClass == classCount ? 0 : classCount;
    }

    /** The guidance scale the images are drawn with (1 for an unconditional model). */
    public double guidance() {
        return guidance;
    }

    @Override
    public String description() {
        return spec.label();
    }

    @Override
    public long size() {
        return count;
    }

    @Override
    public List<FidImage> next(int max) throws IOException {
        int n = Math.min(max, end - position);
        if (n <= 0) {
            return List.of();
        }
        GenerationRequest request = request(n);
        GenerationResult result = pipeline.generate(request);
        int c = result.channels();
        int h = result.height();
        int w = result.width();
        int per = c * h * w;
        float[] s = result.samples();
        List<FidImage> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            float[] p = new float[per];
            for (int i = 0; i < per; i++) {
                p[i] = ImageTensors.toByte(s[k * per + i]) / 255f;
            }
            // an image of the null label was drawn for no class: it has no class accuracy to count
            out.add(new FidImage(c, h, w, p, classCount > 0 && request.label(k) < classCount ? (int) request.label(k)
                    : FidImage.NO_LABEL));
        }
        position += n;
        return out;
    }

    @Override
    public void close() {
        if (owned) {
            pipeline.close();
        }
    }
}
