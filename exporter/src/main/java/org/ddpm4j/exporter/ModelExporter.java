package org.ddpm4j.exporter;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.ddpm4j.runtime.io.AtomicFiles;
import org.ddpm4j.exporter.onnx.OnnxGraphBuilder;
import org.ddpm4j.exporter.onnx.OnnxModelFile;
import org.ddpm4j.exporter.onnx.UnetGraph;
import org.ddpm4j.exporter.onnx.WeightCheck;
import org.ddpm4j.exporter.onnx.WeightPrecision;
import org.ddpm4j.runtime.onnx.GraphOptimization;
import org.ddpm4j.runtime.onnx.OnnxDenoiser;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.probe.Probe;
import org.ddpm4j.runtime.probe.ProbeKeys;
import org.ddpm4j.runtime.probe.ProbeResult;
import org.ddpm4j.runtime.probe.ProbeRunner;
import org.ddpm4j.runtime.probe.ProbeSettings;
import org.ddpm4j.runtime.sampling.Denoiser;
import org.ddpm4j.runtime.sampling.Prediction;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.ddpm4j.trainer.model.UnetModel;
import org.ddpm4j.trainer.model.UnetSpec;

/**
 * Exports UNet weights as one ONNX file that carries the model contract, provenance and a probe,
 * and proves parity before keeping it: the trainer's DJL model and ONNX Runtime run the same seeded
 * inputs and a seeded DDIM trajectory; if they differ beyond tolerance the export fails and no file
 * is left behind. Writing is atomic (temporary file in the target folder, then a rename).
 *
 * <pre>{@code
 * ExportReport r = ModelExporter.builder()
 *         .setSpec(spec).setWeights(weights)
 *         .optSchedule(NoiseSchedule.defaultLinear())
 *         .optProvenance(Map.of("step", "12000", "dataset", "fashion-mnist"))
 *         .build()
 *         .export(Path.of("models/fashion.onnx"));
 * }</pre>
 */
public final class ModelExporter {

    /** Forward tolerance used for float16 weights (max abs on epsilon). */
    public static final double FP16_TOLERANCE = 2e-2;
    /** Trajectory max abs tolerance used for float16 weights (a few pixels near the clip bounds may move). */
    public static final double FP16_TRAJECTORY_TOLERANCE = 0.5;
    /** Smallest trajectory PSNR (dB) allowed for float16 weights. */
    public static final double FP16_TRAJECTORY_MIN_PSNR = 40;

    private final UnetSpec spec;
    private final Map<String, float[]> weights;
    private final NoiseSchedule schedule;
    private final boolean clipSample;
    private final WeightPrecision precision;
    private final String weightsKind;
    private final Map<String, String> provenance;
    private final ProbeSettings settings;
    private final String source;
    private final Consumer<String> progress;
    private final java.util.List<String> classNames;
    private final Prediction prediction;

    private ModelExporter(Builder b) {
        this.classNames = b.classNames;
        this.prediction = b.prediction;
        this.spec = b.spec;
        this.weights = b.weights;
        this.schedule = b.schedule;
        this.clipSample = b.clipSample;
        this.precision = b.precision;
        this.weightsKind = b.weightsKind;
        this.provenance = b.provenance;
        this.settings = b.settings != null ? b.settings
                : precision == WeightPrecision.FP16
                        ? ProbeSettings.defaults().withTolerances(FP16_TOLERANCE, FP16_TRAJECTORY_TOLERANCE,
                                FP16_TRAJECTORY_MIN_PSNR)
                        : ProbeSettings.defaults();
        this.source = b.source;
        this.progress = b.progress;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The graph with contract metadata, provenance and weight fingerprint, without the probe. */
    public ModelProto graph() {
        WeightCheck.check(spec, weights, Map.of(), source);
        OnnxGraphBuilder g = new OnnxGraphBuilder("ddpm_unet").precision(precision)
                .docString("DDPM UNet (" + prediction.id() + " prediction) exported by ddpm4j from " + source)
                .metadata(ExportMetadata.contract(spec, schedule, clipSample, classNames, prediction));
        provenance.forEach((k, v) -> g.metadata(ExportMetadata.TRAIN_PREFIX + k, v));
        g.metadata(ExportMetadata.WEIGHTS, weightsKind);
        g.metadata(ExportMetadata.PRECISION, precision.id());
        ModelProto model = UnetGraph.write(spec, weights, g);
        String sha = OnnxModelFile.weightsSha256(model, spec.parameters().stream().map(UnetSpec.Param::name).toList());
        return OnnxModelFile.withMetadata(model, Map.of(ExportMetadata.WEIGHTS_SHA256, sha));
    }

    /**
     * Writes the file, records the probe with the trainer's model, checks parity with ONNX Runtime,
     * and moves the file into place only if parity holds.
     *
     * @throws ParityFailedException when ONNX Runtime and the trainer disagree beyond tolerance
     * @throws IOException           when the file cannot be written (nothing is left behind)
     */
    public ExportReport export(Path out) throws IOException {
        long start = System.nanoTime();
        progress.accept("writing the ONNX graph (" + spec.parameterCount() + " parameters, " + precision + ")");
        ModelProto model = graph();
        Probe probe;
        progress.accept("recording the probe with the trainer's DJL model");
        try (UnetModel djl = UnetModel.fromWeights(spec, weights)) {
            probe = Probe.record(djl.denoiser(prediction), settings, schedule, clipSample, "ddpm4j trainer (DJL PyTorch, "
                    + weightsKind + " weights)");
        }
        model = OnnxModelFile.withMetadata(model, probe.toMetadata());
        Path target = out.toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw new IOException("Output path " + out + " is a directory, expected a file name such as model.onnx");
        }
        ModelProto unchecked = model;
        Check[] checked = new Check[1];
        ModelProto[] written = new ModelProto[1];
        AtomicFiles.writeVia(target, tmp -> {
            OnnxModelFile.write(unchecked, tmp);
            progress.accept("checking parity with ONNX Runtime (graph optimizations on and off)");
            Check check = check(tmp, probe);
            if (!check.result.passed() || !(check.optimizationDiff <= probe.tolerance())) {
                throw new ParityFailedException("Parity failed, no file written: ONNX Runtime vs trainer "
                        + check.result.summary() + String.format(Locale.ROOT,
                        "; graph optimizations on vs off %.3e", check.optimizationDiff), check.result);
            }
            written[0] = OnnxModelFile.withMetadata(unchecked, Map.of(ProbeKeys.EXPORT_MAX_ABS_ERROR,
                    String.format(Locale.ROOT, "%.3e", check.result.maxAbsError())));
            OnnxModelFile.write(written[0], tmp);
            checked[0] = check;
        });
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new ExportReport(target, Files.size(target), millis, checked[0].result, checked[0].optimizationDiff,
                spec.parameterCount(), precision, OnnxModelFile.metadata(written[0]).get(ExportMetadata.WEIGHTS_SHA256));
    }

    private record Check(ProbeResult result, double optimizationDiff) {
    }

    private Check check(Path file, Probe probe) throws IOException {
        ProbeResult result;
        float[] optimized;
        try (OnnxDenoiser ort = OnnxDenoiser.open(file, OnnxOptions.DEFAULTS.withOptimization(GraphOptimization.ALL))) {
            result = ProbeRunner.run(ort, probe, schedule, clipSample);
            optimized = ProbeRunner.forward(ort, probe);
        }
        float[] plain;
        try (OnnxDenoiser ort = OnnxDenoiser.open(file, OnnxOptions.DEFAULTS.withOptimization(GraphOptimization.NONE))) {
            plain = ProbeRunner.forward(ort, probe);
        }
        return new Check(result, ProbeResult.maxAbsError(optimized, plain));
    }

    /** Compares a live DJL model with an ONNX Runtime model on the same inputs: max abs error. */
    public static double compare(Denoiser reference, Denoiser onnx, float[] sample, long[] timesteps) {
        float[] a = new float[sample.length];
        float[] b = new float[sample.length];
        reference.predict(sample, timesteps, a);
        onnx.predict(sample, timesteps, b);
        return ProbeResult.maxAbsError(a, b);
    }

    /** Builder: {@code set*} required, {@code opt*} optional; {@link #build()} validates. */
    public static final class Builder {
        private UnetSpec spec;
        private Map<String, float[]> weights;
        private NoiseSchedule schedule = NoiseSchedule.defaultLinear();
        private boolean clipSample = true;
        private WeightPrecision precision = WeightPrecision.FP32;
        private String weightsKind = "ema";
        private Map<String, String> provenance = new LinkedHashMap<>();
        private ProbeSettings settings;
        private String source = "weights in memory";
        private Consumer<String> progress = stage -> { };

        private java.util.List<String> classNames = java.util.List.of();
        private Prediction prediction = Prediction.EPSILON;

        private Builder() {
        }

        /** The architecture (required). */
        public Builder setSpec(UnetSpec spec) {
            this.spec = spec;
            return this;
        }

        /** The weights by canonical name (required). */
        public Builder setWeights(Map<String, float[]> weights) {
            this.weights = weights;
            return this;
        }

        /** The noise schedule the model was trained with (default: linear 1e-4..0.02, T = 1000). */
        /** A class-conditional model's class names, in label order ({@code ddpm.class_names}). */
        public Builder optClassNames(java.util.List<String> names) {
            this.classNames = java.util.List.copyOf(names);
            return this;
        }

        /** What the model was trained to predict (default epsilon): written as {@code ddpm.prediction}. */
        public Builder optPrediction(Prediction prediction) {
            this.prediction = java.util.Objects.requireNonNull(prediction, "prediction");
            return this;
        }

        /** The noise schedule (default: linear 1e-4..0.02, T = 1000). */
        public Builder optSchedule(NoiseSchedule schedule) {
            this.schedule = schedule;
            return this;
        }

        /** Whether samplers clip x_0 to [-1, 1] (default true). */
        public Builder optClipSample(boolean clip) {
            this.clipSample = clip;
            return this;
        }

        /** Weight storage (default float32). */
        public Builder optPrecision(WeightPrecision precision) {
            this.precision = precision;
            return this;
        }

        /** "ema" or "raw": which weights these are, for the metadata (default "ema"). */
        public Builder optWeightsKind(String kind) {
            this.weightsKind = kind;
            return this;
        }

        /** Training provenance, written as {@code ddpm.train.<key>} (e.g. step, dataset, loss, seed, commit). */
        public Builder optProvenance(Map<String, String> entries) {
            this.provenance = new LinkedHashMap<>(entries);
            return this;
        }

        /** What the probe records and its tolerances (default {@link ProbeSettings#defaults()}, looser for fp16). */
        public Builder optProbeSettings(ProbeSettings settings) {
            this.settings = settings;
            return this;
        }

        /** What the weights came from, for messages (a checkpoint folder). */
        public Builder optSource(String source) {
            this.source = source;
            return this;
        }

        /** Hears each stage of the export (for a command line). */
        public Builder optProgress(Consumer<String> listener) {
            this.progress = listener;
            return this;
        }

        /** Validates and builds. */
        public ModelExporter build() {
            Objects.requireNonNull(spec, "setSpec is required");
            Objects.requireNonNull(weights, "setWeights is required");
            if (!weightsKind.equals("ema") && !weightsKind.equals("raw")) {
                throw new IllegalArgumentException("weights kind must be 'ema' or 'raw', found '" + weightsKind + "'");
            }
            return new ModelExporter(this);
        }
    }
}
