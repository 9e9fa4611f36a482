package org.ddpm4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.exporter.onnx.OnnxModelFile;
import org.ddpm4j.trainer.checkpoint.Checkpoint;
import org.ddpm4j.trainer.checkpoint.CheckpointStore;
import org.ddpm4j.trainer.checkpoint.OptimizerState;
import org.ddpm4j.trainer.checkpoint.SafeTensors;
import org.ddpm4j.trainer.config.TrainingConfig;
import org.ddpm4j.trainer.model.UnetSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportCommandTest {

    private static final UnetSpec TINY = UnetSpec.preset("tiny");

    @TempDir
    static Path dir;
    static Path run;

    @BeforeAll
    static void checkpoint() throws Exception {
        run = dir.resolve("run");
        Map<String, float[]> raw = VerifyInspectCommandTest.randomWeights(TINY, 11);
        Map<String, float[]> ema = VerifyInspectCommandTest.randomWeights(TINY, 12);
        Map<String, float[]> zeros = new LinkedHashMap<>();
        raw.forEach((k, v) -> zeros.put(k, new float[v.length]));
        new CheckpointStore(run, 2).save(250, TINY, TrainingConfig.plain("synthetic", "tiny"), raw, ema,
                new OptimizerState(250, zeros, zeros), "0123abcd");
    }

    @Test
    void exportsALastCheckpointThenVerifyAndInspectIt() throws Exception {
        Path out = dir.resolve("models/tiny.onnx");
        SampleAndAdoptCommandTest.Run r = VerifyInspectCommandTest.ddpm("export", "--checkpoint",
                run.resolve("last").toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("parity (ONNX Runtime vs trainer): max abs error"), r.out());
        assertTrue(r.out().contains("export time"), r.out());
        Map<String, String> m = OnnxModelFile.metadata(OnnxModelFile.read(out));
        assertEquals("250", m.get("ddpm.train.step"));
        assertEquals("synthetic", m.get("ddpm.train.dataset"));
        assertEquals("0123abcd", m.get("ddpm.train.commit"));
        assertEquals("ema", m.get("ddpm.weights"));

        SampleAndAdoptCommandTest.Run v = VerifyInspectCommandTest.ddpm("verify", "--model", out.toString(),
                "--checkpoint", run.resolve("last").toString());
        assertEquals(0, v.code(), v.out() + v.err());
        assertTrue(v.out().contains("live checkpoint: 4 fresh images"), v.out());

        SampleAndAdoptCommandTest.Run raw = VerifyInspectCommandTest.ddpm("verify", "--model", out.toString(),
                "--checkpoint", run.resolve("last").toString(), "--weights", "raw");
        assertEquals(DdpmCommand.EXIT_CHECK_FAILED, raw.code(), "EMA file against raw weights must differ: " + raw.out());
    }

    @Test
    void rawFp16ExportIsSmallerAndRecordsItsChoice() throws Exception {
        Path out = dir.resolve("tiny16.onnx");
        SampleAndAdoptCommandTest.Run r = VerifyInspectCommandTest.ddpm("export", "--checkpoint", run.toString(),
                "--out", out.toString(), "--weights", "raw", "--precision", "fp16");
        assertEquals(0, r.code(), r.out() + r.err());
        Map<String, String> m = OnnxModelFile.metadata(OnnxModelFile.read(out));
        assertEquals("raw", m.get("ddpm.weights"));
        assertEquals("fp16", m.get("ddpm.precision"));
    }

    @Test
    void checkpointWithMissingAndMisshapedWeightsIsRefusedListingEveryName() throws Exception {
        Path bad = dir.resolve("bad-run");
        Map<String, float[]> w = VerifyInspectCommandTest.randomWeights(TINY, 13);
        Map<String, float[]> zeros = new LinkedHashMap<>();
        w.forEach((k, v) -> zeros.put(k, new float[v.length]));
        Path cp = new CheckpointStore(bad, 1).save(1, TINY, TrainingConfig.plain("synthetic", "tiny"), w, w,
                new OptimizerState(1, zeros, zeros), null);
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        for (UnetSpec.Param p : TINY.parameters()) {
            tensors.put(p.name(), new SafeTensors.Tensor(p.shape(), w.get(p.name())));
        }
        tensors.remove("in.conv.weight");
        tensors.remove("mid.attn.proj.bias");
        tensors.put("out.conv.bias", new SafeTensors.Tensor(new long[] {2}, new float[2]));
        tensors.put("time.fc2.weight", new SafeTensors.Tensor(new long[] {64, 32}, new float[64 * 32]));
        SafeTensors.write(cp.resolve(Checkpoint.EMA), tensors, Map.of());
        Path out = dir.resolve("bad.onnx");
        SampleAndAdoptCommandTest.Run r = VerifyInspectCommandTest.ddpm("export", "--checkpoint", cp.toString(),
                "--out", out.toString());
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
        for (String name : List.of("in.conv.weight", "mid.attn.proj.bias", "out.conv.bias", "time.fc2.weight")) {
            assertTrue(r.err().contains(name), r.err());
        }
        assertEquals(1, r.err().trim().lines().count(), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void unknownPrecisionIsBadInput() {
        SampleAndAdoptCommandTest.Run r = VerifyInspectCommandTest.ddpm("export", "--checkpoint", run.toString(),
                "--out", dir.resolve("x.onnx").toString(), "--precision", "int8");
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, r.code());
        assertTrue(r.err().contains("int8"), r.err());
    }
}
