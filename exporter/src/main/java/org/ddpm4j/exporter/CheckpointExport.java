package org.ddpm4j.exporter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.ddpm4j.exporter.onnx.WeightPrecision;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.ddpm4j.exporter.onnx.WeightCheck;
import org.ddpm4j.trainer.checkpoint.Checkpoint;
import org.ddpm4j.trainer.checkpoint.SafeTensors;
import org.ddpm4j.trainer.model.UnetSpec;
import org.ddpm4j.trainer.config.TrainingConfig;

/** Exports a trainer checkpoint ({@code runs/x/last}, a run folder, or a checkpoint folder). */
public final class CheckpointExport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CheckpointExport() {
    }

    /** Which weights of a checkpoint to use: "ema" (default) or "raw". */
    public static Map<String, float[]> weights(Checkpoint checkpoint, String kind) {
        return switch (kind.toLowerCase(Locale.ROOT)) {
            case "ema" -> checkpoint.emaWeights();
            case "raw" -> checkpoint.weights();
            default -> throw new IllegalArgumentException("Unknown weights '" + kind + "', expected ema or raw");
        };
    }

    /**
     * Checks a checkpoint's weight files against its spec before loading it, so that a refusal lists
     * every missing, misshaped, non-finite or unknown tensor of a file in one message.
     *
     * @throws IllegalArgumentException naming the file and every offending tensor
     */
    public static void validate(Path checkpointPath, String weightsKind) throws IOException {
        Path dir = Checkpoint.locate(checkpointPath);
        Path descFile = dir.resolve(Checkpoint.DESCRIPTION);
        JsonNode desc;
        UnetSpec unet;
        try {
            desc = JSON.readTree(descFile.toFile());
            JsonNode spec = desc == null ? null : desc.get("spec");
            if (spec == null) {
                throw new IOException("checkpoint description " + descFile + " lacks the key 'spec'");
            }
            unet = JSON.treeToValue(spec, UnetSpec.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // Jackson's own message runs over several lines; the CLI prints one
            throw new IOException("corrupt checkpoint description " + descFile + ": " + e.getOriginalMessage(), e);
        }
        boolean ema = !weightsKind.equalsIgnoreCase("raw");
        for (String name : ema ? List.of(Checkpoint.EMA, Checkpoint.WEIGHTS) : List.of(Checkpoint.WEIGHTS, Checkpoint.EMA)) {
            Path file = dir.resolve(name);
            SafeTensors.Contents c = SafeTensors.read(file);
            Map<String, float[]> values = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            c.tensors().forEach((k, t) -> {
                values.put(k, t.data());
                shapes.put(k, t.shape());
            });
            WeightCheck.check(unet, values, shapes, file.toString());
        }
    }

    /** The {@code ddpm.train.*} provenance of a checkpoint (keys without the prefix). */
    public static Map<String, String> provenance(Checkpoint checkpoint) {
        TrainingConfig c = checkpoint.config();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("step", Long.toString(checkpoint.step()));
        m.put("dataset", c.data());
        m.put("preset", String.valueOf(c.preset()));
        m.put("loss", c.loss().id());
        m.put("seed", Long.toString(c.seed()));
        m.put("batch", Integer.toString(c.batch()));
        m.put("learning_rate", ExportMetadata.plain(c.learningRate()));
        m.put("ema_decay", ExportMetadata.plain(c.emaDecay()));
        m.put("loss_weighting", c.objective().minSnr()
                ? "min-snr(gamma=" + ExportMetadata.plain(c.objective().snrGamma()) + ")" : "none");
        if (!c.lrSchedule().kind().equals("constant")) {
            m.put("lr_schedule", c.lrSchedule().kind() + "(floor=" + ExportMetadata.plain(c.lrSchedule().floor())
                    + (c.lrSchedule().decayFrom() > c.warmupSteps() ? ", from=" + c.lrSchedule().decayFrom() : "")
                    + ", until=" + c.lrSchedule().decaySteps() + ")");
        }
        if (checkpoint.spec().conditional()) {
            m.put("label_dropout", ExportMetadata.plain(c.labelDropout()));
        }
        m.put("commit", checkpoint.gitCommit() == null ? "unknown" : checkpoint.gitCommit());
        m.put("checkpoint", checkpoint.dir().getFileName().toString());
        return m;
    }

    /**
     * Loads the checkpoint (or a diffusers folder, see {@link ModelSource#open}) and exports it to {@code out}.
     *
     * @throws IOException           when the checkpoint cannot be read (missing or misshaped weights are listed) or
     *                               the file cannot be written
     * @throws ParityFailedException when the file and the trainer disagree
     */
    public static ExportReport export(Path checkpointPath, Path out, String weightsKind, WeightPrecision precision,
            Consumer<String> progress) throws IOException {
        progress.accept("loading " + (org.ddpm4j.trainer.model.DiffusersUnet.isDiffusersFolder(checkpointPath)
                ? "diffusers folder " : "checkpoint ") + checkpointPath);
        return ModelSource.open(checkpointPath, weightsKind).onnxExporter()
                .optPrecision(precision)
                .optProgress(progress)
                .build()
                .export(out);
    }

    /** Compares a model file with a checkpoint's (or a diffusers folder's) live weights on fresh random inputs. */
    public static LiveParity.Result compare(Path model, Path checkpointPath, String weightsKind, String device,
            double tolerance) throws IOException {
        ModelSource source = ModelSource.open(checkpointPath, weightsKind);
        return LiveParity.compare(model, source.spec(), source.weights(), source.schedule().timesteps(), device,
                System.nanoTime(), 4, tolerance);
    }
}
