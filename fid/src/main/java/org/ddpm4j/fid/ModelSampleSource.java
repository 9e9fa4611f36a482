package org.ddpm4j.fid;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.ddpm4j.runtime.image.ImageTensors;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.runtime.pipeline.GenerationRequest;
import org.ddpm4j.runtime.pipeline.GenerationResult;

/**
 * Images drawn from a model with the runtime's {@link DiffusionPipeline}, a batch at a time. Image k
 * uses seed {@code seed + k}, so the set is the same whatever the batch size, and it is the set
 * {@code ddpm sample} would write with the same seeds. Samples are quantised to 8 bits exactly as
 * PNG files of them would be, so measuring a folder of written samples gives the same statistics.
 */
public final class ModelSampleSource implements ImageSource {

    private final DiffusionPipeline pipeline;
    private final boolean owned;
    private final ImageSet.ModelSamples spec;
    private final int count;
    private final int batch;
    private int position;

    /**
     * Draws {@code count} samples from {@code pipeline} (not closed by {@link #close()}).
     *
     * @param batch images per denoiser call
     */
    public ModelSampleSource(DiffusionPipeline pipeline, ImageSet.ModelSamples spec, int count, int batch) {
        this(pipeline, false, spec, count, batch);
    }

    private ModelSampleSource(DiffusionPipeline pipeline, boolean owned, ImageSet.ModelSamples spec, int count, int batch) {
        if (count <= 0 || batch <= 0) {
            throw new IllegalArgumentException("sample count and batch must be positive, found " + count + " and " + batch);
        }
        this.pipeline = pipeline;
        this.owned = owned;
        this.spec = spec;
        this.count = count;
        this.batch = batch;
        request(1); // checks sampler name, steps and eta against the model before any work
    }

    /** A factory that opens each model file with {@code options} and closes it with the source. */
    public static SampleSourceFactory factory(OnnxOptions options) {
        return (spec, count, batch) -> {
            DiffusionPipeline pipeline = DiffusionPipeline.open(spec.model(), options);
            try {
                return new ModelSampleSource(pipeline, true, spec, count, batch);
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
        GenerationRequest r = b.build();
        pipeline.sampler(r); // validates steps against the model's T
        return r;
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
        int n = Math.min(max, count - position);
        if (n <= 0) {
            return List.of();
        }
        GenerationResult result = pipeline.generate(request(n));
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
            out.add(new FidImage(c, h, w, p));
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
