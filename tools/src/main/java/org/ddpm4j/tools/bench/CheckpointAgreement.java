package org.ddpm4j.tools.bench;

import java.util.ArrayList;
import java.util.List;
import org.ddpm4j.exporter.ExportMetadata;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.sampling.Prediction;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.ddpm4j.trainer.checkpoint.Checkpoint;
import org.ddpm4j.trainer.model.UnetSpec;

/**
 * Whether an ONNX model and a training checkpoint describe the same network, so that timing one
 * against the other compares engines and not models: same image shape and channels, epsilon
 * prediction, same noise schedule, and (when the file records it) the same {@code ddpm.unet} spec.
 */
final class CheckpointAgreement {

    private CheckpointAgreement() {
    }

    /**
     * The differences between the model and the checkpoint, one readable line each; empty when they agree.
     *
     * @param model what the ONNX file's metadata says
     */
    static List<String> differences(ModelInfo model, Checkpoint checkpoint) {
        List<String> diffs = new ArrayList<>();
        UnetSpec spec = checkpoint.spec();
        if (model.channels() != spec.inChannels() || model.height() != spec.imageSize()
                || model.width() != spec.imageSize()) {
            diffs.add("image shape: model " + model.channels() + "x" + model.height() + "x" + model.width()
                    + ", checkpoint " + spec.inChannels() + "x" + spec.imageSize() + "x" + spec.imageSize());
        }
        Prediction trained = checkpoint.config().objective().predictionType();
        if (model.prediction() != trained) {
            diffs.add("prediction: model " + model.prediction().id() + ", checkpoint " + trained.id());
        }
        NoiseSchedule a = model.schedule();
        NoiseSchedule b = checkpoint.config().noiseSchedule();
        if (a.type() != b.type() || a.timesteps() != b.timesteps()) {
            diffs.add("noise schedule: model " + a.type().id() + " " + a.timesteps() + " steps, checkpoint "
                    + b.type().id() + " " + b.timesteps() + " steps");
        }
        String unet = model.metadata().get(ExportMetadata.UNET);
        if (unet != null) {
            UnetSpec recorded = ExportMetadata.specFromJson(unet);
            if (!recorded.equals(spec)) {
                diffs.add("UNet spec (" + ExportMetadata.UNET + "): model " + ExportMetadata.specJson(recorded)
                        + ", checkpoint " + ExportMetadata.specJson(spec));
            }
        }
        return diffs;
    }

    /**
     * Throws when the model and the checkpoint differ.
     *
     * @throws IllegalArgumentException listing every difference
     */
    static void require(String modelName, ModelInfo model, Checkpoint checkpoint) {
        List<String> diffs = differences(model, checkpoint);
        if (!diffs.isEmpty()) {
            throw new IllegalArgumentException("Model " + modelName + " and checkpoint " + checkpoint.dir()
                    + " are not the same network, so the ORT/DJL comparison would compare models, not engines: "
                    + String.join("; ", diffs));
        }
    }
}
