package org.ddpm4j.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.ddpm4j.exporter.ModelExporter;
import org.ddpm4j.fid.FeatureStatistics;
import org.ddpm4j.fid.FidEvaluator;
import org.ddpm4j.fid.FidProgress;
import org.ddpm4j.fid.FrechetDistance;
import org.ddpm4j.fid.ImageSet;
import org.ddpm4j.fid.ModelSampleSource;
import org.ddpm4j.fid.OnnxFeatureExtractor;
import org.ddpm4j.fid.SamplerSetting;
import org.ddpm4j.fid.SetMeasurement;
import org.ddpm4j.runtime.cli.ParallelBatchesOption;
import org.ddpm4j.runtime.onnx.Device;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.trainer.train.Trainer;
import org.ddpm4j.trainer.train.TrainingEvaluator;

/**
 * {@code ddpm train --eval-every}: scores the EMA weights between steps as {@code ddpm fid} scores a
 * model file, without touching libtorch. The weights are written into an in-memory ONNX graph (no
 * probe: nothing runs on DJL), {@code n} images are drawn with ONNX Runtime (seeds 0..n-1, the image of
 * seed s for class s mod K on a class-conditional model, the given sampler setting) and their FID
 * against the reference set and class accuracy are measured with the FID library. The reference's
 * statistics are computed once, when the evaluator opens, so a missing data set or extractor is
 * refused before training starts.
 */
final class TrainingFid implements TrainingEvaluator, AutoCloseable {

    private final OnnxFeatureExtractor extractor;
    private final FeatureStatistics reference;
    private final SamplerSetting setting;
    private final int images;
    private final int batch;
    private final int threads;

    private TrainingFid(OnnxFeatureExtractor extractor, FeatureStatistics reference, SamplerSetting setting, int images,
            int batch, int threads) {
        this.extractor = extractor;
        this.reference = reference;
        this.setting = setting;
        this.images = images;
        this.batch = batch;
        this.threads = threads;
    }

    /**
     * Opens the extractor and measures the reference set.
     *
     * @param extractorFile the feature extractor (an ONNX file)
     * @param reference     the reference set (for example {@code fashion-mnist-test})
     * @param setting       sampler setting of the scored images ({@code dpmpp-sde-20}, the default sampler)
     * @param images        images per evaluation
     * @param threads       ONNX Runtime threads
     */
    static TrainingFid open(Path extractorFile, ImageSet reference, SamplerSetting setting, int images, int threads,
            PrintStream err) throws IOException {
        long t0 = System.nanoTime();
        OnnxFeatureExtractor ex = OnnxFeatureExtractor.open(extractorFile, null, threads);
        try {
            FeatureStatistics ref = FidEvaluator.builder().optExtractor(ex).optProgress(FidProgress.NONE).build()
                    .statistics(reference);
            err.printf(Locale.ROOT, "eval: FID of %d images (%s, seeds 0-%d) against %s (%d images, extractor %s,"
                            + " measured in %.1f s)%n", images, setting.name(), images - 1, reference.label(), ref.count(),
                    ex.id(), (System.nanoTime() - t0) / 1e9);
            if (images < ref.dim()) {
                err.printf(Locale.ROOT, "warning: --eval-n %d is fewer than the extractor's %d features: the FID is"
                        + " biased upwards; use 1000 or more to compare models%n", images, ref.dim());
            }
            return new TrainingFid(ex, ref, setting, images, 50, threads);
        } catch (IOException | RuntimeException e) {
            ex.close();
            throw e;
        }
    }

    @Override
    public Score evaluate(Trainer trainer, long step) throws IOException {
        byte[] onnx = ModelExporter.builder()
                .setSpec(trainer.spec())
                .setWeights(trainer.emaModel().weights())
                .optSchedule(trainer.config().noiseSchedule())
                .optPrediction(trainer.config().objective().predictionType())
                .optClassNames(trainer.spec().conditional() ? trainer.config().classNames() : List.of())
                .optWeightsKind("ema")
                .optSource("training step " + step)
                .build()
                .graph()
                .toByteArray();
        String name = String.format(Locale.ROOT, "step-%08d.onnx", step);
        // ddpm sample's default plan: one batch per thread, each on one intra-op thread (the same images, sooner)
        ParallelBatchesOption.Plan plan = new ParallelBatchesOption().plan(threads, Device.CPU, images);
        try (DiffusionPipeline pipeline = DiffusionPipeline.open(onnx, name,
                OnnxOptions.DEFAULTS.withThreads(plan.intraOpThreads()), plan.parallelBatches())) {
            FidEvaluator evaluator = FidEvaluator.builder()
                    .optExtractor(extractor)
                    .optLimit(images)
                    .optProgress(FidProgress.NONE)
                    .optSampleSource((spec, count, size) -> new ModelSampleSource(pipeline, spec, count, size))
                    .optBatchSize(batch)
                    .build();
            SetMeasurement m = evaluator.measure(setting.samples(Path.of(name), images, 0L));
            double fid = FrechetDistance.between(m.statistics(), reference).fid();
            return new Score(fid, m.hasAccuracy() ? m.accuracy().share() : Double.NaN, m.statistics().count());
        }
    }

    @Override
    public void close() {
        extractor.close();
    }
}
