package org.ddpm4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.exporter.onnx.OnnxModelFile;
import org.ddpm4j.trainer.checkpoint.CheckpointStore;
import org.ddpm4j.trainer.checkpoint.OptimizerState;
import org.ddpm4j.trainer.config.TrainingConfig;
import org.ddpm4j.trainer.model.UnetSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ddpm export --format diffusers}, {@code ddpm import} and {@code ddpm export --checkpoint <diffusers folder>}. */
class DiffusersCommandTest {

    private static final UnetSpec TINY = UnetSpec.preset("tiny");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path run;
    static Path folder;

    @BeforeAll
    static void exportACheckpointAsDiffusers() throws Exception {
        run = dir.resolve("run");
        Map<String, float[]> raw = VerifyInspectCommandTest.randomWeights(TINY, 31);
        Map<String, float[]> ema = VerifyInspectCommandTest.randomWeights(TINY, 32);
        Map<String, float[]> zeros = new LinkedHashMap<>();
        raw.forEach((k, v) -> zeros.put(k, new float[v.length]));
        new CheckpointStore(run, 2).save(400, TINY, TrainingConfig.plain("synthetic", "tiny"), raw, ema,
                new OptimizerState(400, zeros, zeros), "feedbeef");
        folder = dir.resolve("tiny-diffusers");
        SampleAndAdoptCommandTest.Run r = VerifyInspectCommandTest.ddpm("export", "--checkpoint",
                run.resolve("last").toString(), "--format", "diffusers", "--out", folder.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("weights read back identical"), r.out());
    }

    @Test
    void theFolderIsADdpmPipelineWithACard() throws Exception {
        for (String f : List.of("model_index.json", "unet/config.json", "unet/diffusion_pytorch_model.safetensors",
                "scheduler/scheduler_config.json", "README.md")) {
            assertTrue(Files.isRegularFile(folder.resolve(f)), f);
        }
        assertEquals("DDPMPipeline", JSON.readTree(folder.resolve("model_index.json").toFile()).get("_class_name").asText());
        String card = Files.readString(folder.resolve("README.md"));
        assertTrue(card.contains("DDPMPipeline.from_pretrained") && card.contains("ddpm import") && card.contains("| step | 400 |"),
                card);
    }

    /** ddpm train --init-from a diffusers folder fine-tunes it: a new run from step 0 starting at its weights. */
    @Test
    void trainingStartsFromADiffusersFolder() throws Exception {
        Path images = TrainCommandTest.imageFolder(dir.resolve("fine-tune-data"));
        Path tuned = dir.resolve("tuned");
        StringBuilder err = new StringBuilder();
        // a learning rate so small that one step leaves the weights as they came
        assertEquals(0, TrainCommandTest.run(err, "train", "--init-from", folder.toString(), "--data", images.toString(),
                "--steps", "1", "--batch", "2", "--lr", "1e-30", "--sample-count", "0", "--threads", "1", "--out",
                tuned.toString()), err.toString());
        assertTrue(err.toString().contains("fine-tuning"), err.toString());
        org.ddpm4j.trainer.checkpoint.Checkpoint cp = org.ddpm4j.trainer.checkpoint.Checkpoint.load(tuned);
        assertEquals(1, cp.step());
        assertEquals(TINY.withDropout(0), cp.spec());
        Map<String, float[]> ema = VerifyInspectCommandTest.randomWeights(TINY, 32); // what the folder holds
        for (String k : ema.keySet()) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(ema.get(k), cp.weights().get(k), 1e-6f, k);
        }
        StringBuilder bad = new StringBuilder();
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, TrainCommandTest.run(bad, "train", "--init-from", folder.toString(),
                "--data", images.toString(), "--preset", "fashion", "--steps", "1", "--out",
                dir.resolve("tuned2").toString()));
        assertTrue(bad.toString().contains("--preset contradicts --init-from"), bad.toString());
    }

    /** Export, import, verify against the checkpoint: the imported file computes the EMA weights' function. */
    @Test
    void importedFileIsTheCheckpointsModel() throws Exception {
        Path onnx = dir.resolve("imported.onnx");
        SampleAndAdoptCommandTest.Run r = VerifyInspectCommandTest.ddpm("import", folder.toString(), "--out", onnx.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("parity (ONNX Runtime vs trainer): max abs error"), r.out());
        Map<String, String> m = OnnxModelFile.metadata(OnnxModelFile.read(onnx));
        assertEquals("diffusers", m.get("ddpm.train.source"));
        assertEquals("linear", m.get("ddpm.schedule"));
        assertEquals("epsilon", m.get("ddpm.prediction"));
        SampleAndAdoptCommandTest.Run v = VerifyInspectCommandTest.ddpm("verify", "--model", onnx.toString(),
                "--checkpoint", run.resolve("last").toString());
        assertEquals(0, v.code(), v.out() + v.err());
        SampleAndAdoptCommandTest.Run vd = VerifyInspectCommandTest.ddpm("verify", "--model", onnx.toString(),
                "--checkpoint", folder.toString());
        assertEquals(0, vd.code(), vd.out() + vd.err());

        Path viaExport = dir.resolve("via-export.onnx");
        SampleAndAdoptCommandTest.Run e = VerifyInspectCommandTest.ddpm("export", "--checkpoint",
                folder.resolve("unet").toString(), "--out", viaExport.toString());
        assertEquals(0, e.code(), e.out() + e.err());
        assertTrue(e.out().contains("loading diffusers folder"), e.out());
    }

    @Test
    void anUnsupportedConfigIsRefusedInOneLineWithExit2() throws Exception {
        Path bad = copy(folder, dir.resolve("flipped"));
        ObjectNode config = (ObjectNode) JSON.readTree(bad.resolve("unet/config.json").toFile());
        config.put("resnet_time_scale_shift", "scale_shift");
        Files.writeString(bad.resolve("unet/config.json"), config.toString());
        Path out = dir.resolve("never.onnx");
        SampleAndAdoptCommandTest.Run r = VerifyInspectCommandTest.ddpm("import", bad.toString(), "--out", out.toString());
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("resnet_time_scale_shift = \"scale_shift\""), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(!Files.exists(out));

        ObjectNode scheduler = (ObjectNode) JSON.readTree(folder.resolve("scheduler/scheduler_config.json").toFile());
        scheduler.put("thresholding", true);
        Path schedulerFile = dir.resolve("thresholding.json");
        Files.writeString(schedulerFile, scheduler.toString());
        SampleAndAdoptCommandTest.Run s = VerifyInspectCommandTest.ddpm("import", folder.toString(), "--scheduler-config",
                schedulerFile.toString(), "--out", out.toString());
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, s.code(), s.out() + s.err());
        assertTrue(s.err().contains("thresholding = true"), s.err());
    }

    @Test
    void picklesAreRefusedAndSayHowToConvert() throws Exception {
        Path pickle = copy(folder, dir.resolve("pickle"));
        Files.delete(pickle.resolve("unet/diffusion_pytorch_model.safetensors"));
        Files.write(pickle.resolve("unet/diffusion_pytorch_model.bin"), new byte[] {(byte) 0x80, 2, 0});
        SampleAndAdoptCommandTest.Run r = VerifyInspectCommandTest.ddpm("import", pickle.toString(), "--out",
                dir.resolve("p.onnx").toString());
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("is a pickle") && r.err().contains("safe_serialization=True"), r.err());
    }

    @Test
    void aFolderHoldingOtherFilesIsNeverOverwrittenButAnExportIsReplaced() throws Exception {
        Path other = Files.createDirectories(dir.resolve("other"));
        Files.writeString(other.resolve("notes.txt"), "keep me");
        SampleAndAdoptCommandTest.Run r = VerifyInspectCommandTest.ddpm("export", "--checkpoint", run.toString(),
                "--format", "diffusers", "--out", other.toString());
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("holds other files"), r.err());
        assertEquals("keep me", Files.readString(other.resolve("notes.txt")));

        Path again = copy(folder, dir.resolve("again"));
        SampleAndAdoptCommandTest.Run a = VerifyInspectCommandTest.ddpm("export", "--checkpoint", run.toString(),
                "--weights", "raw", "--format", "diffusers", "--out", again.toString());
        assertEquals(0, a.code(), a.out() + a.err());
        assertTrue(Files.readString(again.resolve("README.md")).contains("(raw weights)"));
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".again")), "no temporary folder left");
        }

        SampleAndAdoptCommandTest.Run f = VerifyInspectCommandTest.ddpm("export", "--checkpoint", run.toString(),
                "--format", "diffusers", "--precision", "fp16", "--out", dir.resolve("fp16").toString());
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, f.code(), f.out() + f.err());
        assertTrue(f.err().contains("--precision fp16 applies to ONNX files only"), f.err());
    }

    private static Path copy(Path from, Path to) throws Exception {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }
}
