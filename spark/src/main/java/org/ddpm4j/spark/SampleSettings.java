package org.ddpm4j.spark;

import java.io.Serializable;
import org.ddpm4j.runtime.cli.ClassOptions;
import org.ddpm4j.runtime.cli.DeviceOption;
import org.ddpm4j.runtime.cli.ImageCountOptions;
import org.ddpm4j.runtime.cli.RuntimeOptions;
import org.ddpm4j.runtime.cli.SamplingOptions;
import org.ddpm4j.runtime.cli.SeedOption;
import org.ddpm4j.runtime.cli.ThreadsOption;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.onnx.Device;
import org.ddpm4j.runtime.onnx.GraphOptimization;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.GenerationRequest;
import org.ddpm4j.runtime.sampling.TimestepSpacing;
import org.ddpm4j.runtime.sampling.VarianceType;

/**
 * What the sampling job makes: the same settings, with the same defaults, as {@code ddpm sample}.
 *
 * @param model            the ONNX model, any Hadoop file system path or URI
 * @param out              the output folder, any Hadoop file system path or URI
 * @param sampler          ddpm, ddim, dpmpp or dpmpp-sde
 * @param steps            denoiser calls per image, null for the default ({@link SamplingOptions#defaultSteps})
 * @param count            images
 * @param seed             seed of image 0; image k uses {@code seed + k}
 * @param batch            images per denoiser call
 * @param eta              DDIM stochasticity
 * @param variance         DDPM variance, fixed_small or fixed_large
 * @param spacing          timestep spacing, null for the sampler's default
 * @param clip             clip the predicted x0, null for the model's {@code ddpm.clip_sample}
 * @param clippedModelOutput DDIM with clipping: re-derive epsilon from the clipped x0
 * @param classes          a class-conditional model's class (name, label or none), null for each seed's
 *                         class (seed mod K), as {@code ddpm sample --class}
 * @param guidance         classifier-free guidance scale, null for 1
 * @param device           the device of tasks without a GPU resource: cpu, cuda[:id] or auto
 * @param threads          ONNX Runtime intra-op threads per task, 0 for the task's CPUs ({@code spark.task.cpus})
 * @param optimization     ONNX Runtime graph optimisation: none, basic, extended or all
 * @param partitions       Spark partitions, 0 for the context's default parallelism
 * @param filesPerFolder   the most images in one folder: larger runs go to sub-folders ({@link SampleLayout})
 * @param failFirstAttempt fault injection for tests: the first attempt of partition 0 writes a partial
 *                         temporary file and fails, as a killed task would
 */
public record SampleSettings(String model, String out, String sampler, Integer steps, int count, long seed, int batch,
        double eta, String variance, String spacing, Boolean clip, boolean clippedModelOutput, String classes,
        Double guidance, String device, int threads, String optimization, int partitions, int filesPerFolder,
        boolean failFirstAttempt)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /** File name prefix of the images, as {@code ddpm sample} names them. */
    public static final String PREFIX = "sample-";

    /** Checks the values that need no model. */
    public SampleSettings {
        if (count <= 0) {
            throw new IllegalArgumentException("-n must be at least 1, found " + count);
        }
        if (batch <= 0) {
            throw new IllegalArgumentException("--batch must be at least 1, found " + batch);
        }
        if (partitions < 0) {
            throw new IllegalArgumentException("--partitions must be 0 (Spark's default parallelism) or more, found "
                    + partitions);
        }
        VarianceType.fromId(variance);
        if (spacing != null) {
            TimestepSpacing.fromId(spacing);
        }
        Device.parse(device);
        if (filesPerFolder < 1) {
            throw new IllegalArgumentException("--files-per-folder must be at least 1, found " + filesPerFolder);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("--threads must be 0 (the task's CPUs) or more, found " + threads);
        }
        GraphOptimization.parse(optimization);
        ClassOptions.requireNotAll(classes);
    }

    /** {@code ddpm sample}'s defaults (those of the shared options) for {@code model}, {@code count} images and {@code out}. */
    public static SampleSettings defaults(String model, int count, String out) {
        return new SampleSettings(model, out, SamplingOptions.DEFAULT_SAMPLER, null, count, SeedOption.DEFAULT,
                ImageCountOptions.DEFAULT_BATCH, SamplingOptions.DEFAULT_ETA, SamplingOptions.DEFAULT_VARIANCE, null, null,
                false, null, null, DeviceOption.DEFAULT, ThreadsOption.DEFAULT, RuntimeOptions.DEFAULT_OPTIMIZATION, 0,
                SampleLayout.SHARD_SIZE, false);
    }

    /** A copy with other sampler, steps and batch size. */
    public SampleSettings withSampler(String newSampler, Integer newSteps, int newBatch) {
        return new SampleSettings(model, out, newSampler, newSteps, count, seed, newBatch, eta, variance, spacing, clip,
                clippedModelOutput, classes, guidance, device, threads, optimization, partitions, filesPerFolder, failFirstAttempt);
    }

    /** A copy with another partition count. */
    public SampleSettings withPartitions(int value) {
        return new SampleSettings(model, out, sampler, steps, count, seed, batch, eta, variance, spacing, clip,
                clippedModelOutput, classes, guidance, device, threads, optimization, value, filesPerFolder, failFirstAttempt);
    }

    /** A copy with another output folder. */
    public SampleSettings withOut(String value) {
        return new SampleSettings(model, value, sampler, steps, count, seed, batch, eta, variance, spacing, clip,
                clippedModelOutput, classes, guidance, device, threads, optimization, partitions, filesPerFolder, failFirstAttempt);
    }

    /** A copy with another class choice and guidance scale. */
    public SampleSettings withClasses(String newClasses, Double newGuidance) {
        return new SampleSettings(model, out, sampler, steps, count, seed, batch, eta, variance, spacing, clip,
                clippedModelOutput, newClasses, newGuidance, device, threads, optimization, partitions, filesPerFolder, failFirstAttempt);
    }

    /** A copy with the fault injection on or off. */
    public SampleSettings withFailFirstAttempt(boolean value) {
        return new SampleSettings(model, out, sampler, steps, count, seed, batch, eta, variance, spacing, clip,
                clippedModelOutput, classes, guidance, device, threads, optimization, partitions, filesPerFolder, value);
    }

    /** A copy with another most images per folder. */
    public SampleSettings withFilesPerFolder(int value) {
        return new SampleSettings(model, out, sampler, steps, count, seed, batch, eta, variance, spacing, clip,
                clippedModelOutput, classes, guidance, device, threads, optimization, partitions, value, failFirstAttempt);
    }

    /** A copy with another seed. */
    public SampleSettings withSeed(long value) {
        return new SampleSettings(model, out, sampler, steps, count, value, batch, eta, variance, spacing, clip,
                clippedModelOutput, classes, guidance, device, threads, optimization, partitions, filesPerFolder, failFirstAttempt);
    }

    /** A copy with another model. */
    public SampleSettings withModel(String value) {
        return new SampleSettings(value, out, sampler, steps, count, seed, batch, eta, variance, spacing, clip,
                clippedModelOutput, classes, guidance, device, threads, optimization, partitions, filesPerFolder, failFirstAttempt);
    }

    /** A copy with other ONNX Runtime threads per task and graph optimisation. */
    public SampleSettings withRuntime(int newThreads, String newOptimization) {
        return new SampleSettings(model, out, sampler, steps, count, seed, batch, eta, variance, spacing, clip,
                clippedModelOutput, classes, guidance, device, newThreads, newOptimization, partitions, filesPerFolder, failFirstAttempt);
    }

    /**
     * The ONNX Runtime options of a task: its device ({@link TaskResources#device}), {@code threads} or the
     * task's CPUs, and the graph optimisation.
     */
    public OnnxOptions taskOptions() {
        return OnnxOptions.DEFAULTS.withDevice(TaskResources.device(Device.parse(device)))
                .withThreads(threads > 0 ? threads : TaskResources.threads())
                .withOptimization(GraphOptimization.parse(optimization));
    }

    /** The images' names and folders. */
    public SampleLayout layout() {
        return new SampleLayout(count, filesPerFolder);
    }

    /** Number of batches: the job's unit of work, aligned as {@code ddpm sample} aligns them. */
    public int batches() {
        return (count + batch - 1) / batch;
    }

    /**
     * The request of images {@code first} to {@code first + n - 1} from a model described by {@code info},
     * built as {@code ddpm sample} builds its request (classes and guidance included), so a batch made here
     * equals the same batch made by {@code ddpm sample}.
     *
     * @throws IllegalArgumentException for a class or guidance the model does not take
     */
    public GenerationRequest request(int first, int n, ModelInfo info) {
        GenerationRequest.Builder b = GenerationRequest.builder().optSampler(sampler).optSeeds(seed + first, n)
                .optBatchSize(batch).optEta(eta).optVariance(VarianceType.fromId(variance))
                .optClippedModelOutput(clippedModelOutput);
        b.optSteps(steps != null ? steps : SamplingOptions.defaultSteps(sampler));
        if (spacing != null) {
            b.optSpacing(TimestepSpacing.fromId(spacing));
        }
        if (clip != null) {
            b.optClipSample(clip);
        }
        ClassOptions.apply(b, info, model, classes, guidance, seed + first, n);
        return b.build();
    }
}
