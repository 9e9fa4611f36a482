package org.ddpm4j.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.ddpm4j.tools.SampleAndAdoptCommandTest;
import org.ddpm4j.trainer.checkpoint.CheckpointStore;
import org.ddpm4j.trainer.checkpoint.OptimizerState;
import org.ddpm4j.trainer.config.TrainingConfig;
import org.ddpm4j.trainer.model.UnetModel;
import org.ddpm4j.trainer.model.UnetSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ddpm bench sample --checkpoint}: ONNX Runtime paired with the DJL baseline on an exported tiny checkpoint. */
class BenchSamplePairedTest {

    @TempDir
    static Path dir;
    static Path run;
    static Path model;

    /** A tiny checkpoint of untrained weights (EMA differs from raw), exported to ONNX with the CLI. */
    @BeforeAll
    static void exportTinyCheckpoint() throws Exception {
        run = dir.resolve("run");
        saveCheckpoint(run, UnetSpec.preset("tiny"), 5);
        model = dir.resolve("tiny.onnx");
        SampleAndAdoptCommandTest.Run export = SampleAndAdoptCommandTest.run("export", "--checkpoint",
                run.resolve("last").toString(), "--out", model.toString());
        assertEquals(0, export.code(), export.out() + export.err());
    }

    static void saveCheckpoint(Path folder, UnetSpec spec, long seed) throws Exception {
        Map<String, float[]> raw;
        Map<String, float[]> ema;
        try (UnetModel a = UnetModel.create(spec, seed); UnetModel b = UnetModel.create(spec, seed + 1)) {
            raw = a.weights();
            ema = b.weights();
        }
        new CheckpointStore(folder, 1).save(3, spec, TrainingConfig.plain("synthetic", "tiny"), raw, ema,
                new OptimizerState(3, raw, raw), null);
    }

    @Test
    void pairsOnnxWithDjlAndWritesJson() throws Exception {
        Path json = dir.resolve("out/bench.json");
        Files.createDirectories(json.getParent());
        SampleAndAdoptCommandTest.Run r = SampleAndAdoptCommandTest.run("bench", "sample", "--model", model.toString(),
                "--checkpoint", run.resolve("last").toString(), "--sampler", "ddim", "--steps", "3", "--batch", "2",
                "--warmup", "1", "--runs", "2", "--threads", "1", "--json", json.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        String out = r.out();
        assertTrue(out.contains("onnxruntime") && out.contains("djl pytorch 1 threads"), out);
        assertTrue(out.matches("(?s).*ratio ORT/DJL images/s\\s+[0-9.]+x\\s+\\(median of per-pair ratios: [0-9.]+, [0-9.]+\\).*"), out);
        assertTrue(out.contains("outside the backend") && out.contains("peak RSS (VmHWM, process)"), out);
        assertTrue(out.contains("(ema weights)"), "the export's ddpm.weights picks the baseline's weights: " + out);

        JsonNode n = new ObjectMapper().readTree(json.toFile());
        assertEquals("paired", n.get("mode").asText());
        assertEquals(2, n.get("pairs").asInt());
        assertEquals(1, n.get("warmup_runs").asInt());
        assertEquals(3, n.get("steps").asInt());
        assertEquals("ema", n.get("weights").asText());
        JsonNode ratios = n.get("pair_ratios");
        assertEquals(2, ratios.size());
        double lo = Math.min(ratios.get(0).asDouble(), ratios.get(1).asDouble());
        double hi = Math.max(ratios.get(0).asDouble(), ratios.get(1).asDouble());
        assertEquals((lo + hi) / 2, n.get("ratio_onnx_over_djl").asDouble(), 1e-12);
        for (String b : new String[] {"onnx", "djl"}) {
            JsonNode f = n.get("backends").get(b);
            assertTrue(f != null, b + " missing in " + n);
            double ips = f.get("images_per_second").asDouble();
            // medians of 2 runs are means: the mean of batch/seconds is at least batch / (mean seconds)
            assertTrue(2 / f.get("seconds_per_run").asDouble() <= ips * (1 + 1e-12), f.toString());
            assertTrue(f.get("ms_per_denoiser_call").asDouble() > 0, f.toString());
            double share = f.get("outside_backend_share").asDouble();
            assertTrue(share >= 0 && share < 1, f.toString());
            assertTrue(f.get("rss_after_runs_kb").asLong() > 0, f.toString());
        }
        double ratioFromMedians = n.get("backends").get("onnx").get("images_per_second").asDouble()
                / n.get("backends").get("djl").get("images_per_second").asDouble();
        assertTrue(ratioFromMedians > 0 && n.get("ratio_onnx_over_djl").asDouble() > 0);

        SampleAndAdoptCommandTest.Run stdout = SampleAndAdoptCommandTest.run("bench", "sample", "--model",
                model.toString(), "--checkpoint", run.resolve("last").toString(), "--weights", "raw", "--steps", "2",
                "--batch", "1", "--warmup", "0", "--runs", "1", "--threads", "1", "--json");
        assertEquals(0, stdout.code(), stdout.out() + stdout.err());
        JsonNode s = new ObjectMapper().readTree(stdout.out());
        assertEquals("raw", s.get("weights").asText());
        assertEquals(1, s.get("pair_ratios").size());
    }

    @Test
    void refusesACheckpointOfAnotherNetwork() throws Exception {
        UnetSpec tiny = UnetSpec.preset("tiny");
        UnetSpec wider = new UnetSpec(tiny.imageSize(), tiny.inChannels(), tiny.outChannels(), tiny.baseChannels() * 2,
                tiny.channelMults(), tiny.blocksPerLevel(), tiny.attentionResolutions(), tiny.groups(), tiny.dropout(),
                tiny.normEps());
        Path other = dir.resolve("wider");
        saveCheckpoint(other, wider, 9);
        SampleAndAdoptCommandTest.Run r = SampleAndAdoptCommandTest.run("bench", "sample", "--model", model.toString(),
                "--checkpoint", other.toString(), "--steps", "2", "--batch", "1", "--runs", "1", "--threads", "1");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("are not the same network") && r.err().contains("ddpm.unet")
                && r.err().contains("\"baseChannels\":" + tiny.baseChannels() * 2), r.err());
    }
}
