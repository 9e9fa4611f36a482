package org.ddpm4j.exporter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ddpm4j.exporter.diffusers.DiffusersPipeline;
import org.ddpm4j.runtime.sampling.Prediction;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.ddpm4j.trainer.checkpoint.Checkpoint;
import org.ddpm4j.trainer.model.DiffusersUnet;
import org.ddpm4j.trainer.model.UnetSpec;

/**
 * Everything an export needs from where the weights come from: a ddpm4j checkpoint, or a Hugging
 * Face diffusers folder.
 *
 * @param spec        the architecture
 * @param weights     the weights by canonical name
 * @param schedule    the noise schedule the model was trained with
 * @param prediction  what the model predicts
 * @param clipSample  whether samplers clip x_0 to [-1, 1]
 * @param classNames  a conditional model's class names in label order (may be empty)
 * @param weightsKind "ema" or "raw"
 * @param provenance  {@code ddpm.train.*} entries (keys without the prefix)
 * @param description what the weights came from, for messages ("checkpoint runs/x/...")
 */
public record ModelSource(UnetSpec spec, Map<String, float[]> weights, NoiseSchedule schedule, Prediction prediction,
        boolean clipSample, List<String> classNames, String weightsKind, Map<String, String> provenance,
        String description) {

    public ModelSource {
        classNames = List.copyOf(classNames);
        provenance = new LinkedHashMap<>(provenance);
    }

    /**
     * A checkpoint (a checkpoint folder, a run's {@code last} link or a run folder) or, when
     * {@code path} is a diffusers folder, that folder ({@code weightsKind} then does not apply).
     *
     * @throws IOException              when the files cannot be read
     * @throws IllegalArgumentException when the weights or a diffusers config are refused
     */
    public static ModelSource open(Path path, String weightsKind) throws IOException {
        if (DiffusersUnet.isDiffusersFolder(path)) {
            return DiffusersPipeline.read(path, null);
        }
        if (java.nio.file.Files.isRegularFile(path) && path.getFileName().toString().endsWith(".onnx")) {
            return fromOnnx(path);
        }
        return fromCheckpoint(path, weightsKind);
    }

    /** A ddpm4j checkpoint's weights ("ema" or "raw"), checked before loading. */
    public static ModelSource fromCheckpoint(Path path, String weightsKind) throws IOException {
        CheckpointExport.validate(path, weightsKind);
        Checkpoint cp = Checkpoint.load(path);
        return new ModelSource(cp.spec(), CheckpointExport.weights(cp, weightsKind), cp.config().noiseSchedule(),
                cp.config().objective().predictionType(), true,
                cp.spec().conditional() ? cp.config().classNames() : List.of(), weightsKind.toLowerCase(Locale.ROOT),
                CheckpointExport.provenance(cp), "checkpoint " + cp.dir());
    }

    /**
     * The weights of an fp32 model file that {@code ddpm export} wrote (its {@code ddpm.unet} spec names every
     * initializer), with its schedule, prediction, clipping, classes and provenance: a shipped model can go to
     * the diffusers format without its checkpoint.
     *
     * @throws IllegalArgumentException naming the file and what is missing (no spec, fp16 weights, a weight)
     */
    public static ModelSource fromOnnx(Path file) throws IOException {
        ai.onnx.proto.OnnxMl.ModelProto model = org.ddpm4j.exporter.onnx.OnnxModelFile.read(file);
        Map<String, String> meta = org.ddpm4j.exporter.onnx.OnnxModelFile.metadata(model);
        String unet = meta.get(ExportMetadata.UNET);
        if (unet == null) {
            throw new IllegalArgumentException(file + " has no " + ExportMetadata.UNET + " metadata: only a file that"
                    + " ddpm export wrote holds a UNet spec to read its weights back into");
        }
        if (!"fp32".equals(meta.getOrDefault(ExportMetadata.PRECISION, "fp32"))) {
            throw new IllegalArgumentException(file + " holds " + meta.get(ExportMetadata.PRECISION) + " weights,"
                    + " expected fp32: export an fp32 file (the default) from its checkpoint");
        }
        UnetSpec spec = ExportMetadata.specFromJson(unet);
        org.ddpm4j.runtime.model.ModelInfo info = org.ddpm4j.runtime.model.ModelInfo.fromMetadata(meta,
                file.getFileName().toString());
        Map<String, ai.onnx.proto.OnnxMl.TensorProto> tensors = org.ddpm4j.exporter.onnx.OnnxModelFile.weights(model);
        Map<String, float[]> weights = new LinkedHashMap<>();
        for (UnetSpec.Param p : spec.parameters()) {
            ai.onnx.proto.OnnxMl.TensorProto t = tensors.get(p.name());
            long size = 1;
            for (long d : p.shape()) {
                size *= d;
            }
            if (t == null || t.getDataType() != ai.onnx.proto.OnnxMl.TensorProto.DataType.FLOAT_VALUE) {
                throw new IllegalArgumentException(file + ": weight " + p.name() + " is " + (t == null ? "missing"
                        : "not float32") + ", expected float32 of " + size + " values");
            }
            float[] v;
            if (!t.getRawData().isEmpty()) {
                java.nio.FloatBuffer fb = t.getRawData().asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN)
                        .asFloatBuffer();
                v = new float[fb.remaining()];
                fb.get(v);
            } else {
                v = new float[t.getFloatDataCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = t.getFloatData(i);
                }
            }
            if (v.length != size) {
                throw new IllegalArgumentException(file + ": weight " + p.name() + " holds " + v.length
                        + " values, expected " + size);
            }
            weights.put(p.name(), v);
        }
        Map<String, String> provenance = new LinkedHashMap<>();
        meta.forEach((k, v) -> {
            if (k.startsWith(ExportMetadata.TRAIN_PREFIX)) {
                provenance.put(k.substring(ExportMetadata.TRAIN_PREFIX.length()), v);
            }
        });
        return new ModelSource(spec, weights, info.schedule(), info.prediction(), info.clipSample(),
                spec.conditional() ? info.classNames() : List.of(), meta.getOrDefault(ExportMetadata.WEIGHTS, "ema"),
                provenance, "model file " + file);
    }

    /** The builder of an ONNX export of these weights (precision, probe and progress still to set). */
    public ModelExporter.Builder onnxExporter() {
        return ModelExporter.builder()
                .setSpec(spec)
                .setWeights(weights)
                .optSchedule(schedule)
                .optPrediction(prediction)
                .optClipSample(clipSample)
                .optClassNames(spec.conditional() ? classNames : List.of())
                .optWeightsKind(weightsKind)
                .optProvenance(provenance)
                .optSource(description);
    }
}
