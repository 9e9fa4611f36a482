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
