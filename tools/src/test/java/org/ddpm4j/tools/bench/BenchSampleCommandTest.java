package org.ddpm4j.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ddpm4j.tools.SampleAndAdoptCommandTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchSampleCommandTest {

    @Test
    void mediansOfRuns() {
        List<BenchSampleCommand.Run> runs = List.of(new BenchSampleCommand.Run(2.0, 1.9, 10, 4),
                new BenchSampleCommand.Run(1.0, 0.99, 10, 4), new BenchSampleCommand.Run(4.0, 3.0, 10, 4));
        BenchSampleCommand.Summary s = BenchSampleCommand.summarize(runs, 1234);
        assertEquals(2.0, s.imagesPerSecond(), 1e-12); // 2, 4, 1 images/s
        assertEquals(190.0, s.msPerCall(), 1e-9);      // 190, 99, 300 ms
        assertEquals(0.05, s.outsideShare(), 1e-12);   // 0.05, 0.01, 0.25
        assertEquals(2.0, s.secondsPerRun(), 0.0);
        assertEquals(2.5, BenchSampleCommand.median(new double[] {4, 1, 2, 3}), 0.0);
        assertTrue(BenchSampleCommand.peakRssKb() > 0, "VmHWM is readable on Linux");
    }

    @Test
    void benchesAModelAndWritesCsv(@TempDir Path dir) throws Exception {
        Path model = SampleAndAdoptCommandTest.adoptedModel(dir);
        Path csv = dir.resolve("bench.csv");
        StringWriter out = new StringWriter();
        CommandLine cmd = new CommandLine(new BenchSampleCommand());
        cmd.setOut(new PrintWriter(out));
        int code = cmd.execute("--model", model.toString(), "--sampler", "ddim", "--steps", "5", "--batch", "3",
                "--runs", "3", "--threads", "1", "--csv", csv.toString());
        assertEquals(0, code, out.toString());
        Matcher m = Pattern.compile("outside the backend\\s+([0-9.]+)%").matcher(out.toString());
        assertTrue(m.find(), out.toString());
        double share = Double.parseDouble(m.group(1));
        assertTrue(share >= 0 && share <= 100, out.toString());
        List<String> lines = Files.readAllLines(csv);
        assertEquals(2, lines.size());
        assertTrue(lines.get(1).contains(",ddim,5,3,"), lines.get(1));

        SampleAndAdoptCommandTest.Run viaCli = SampleAndAdoptCommandTest.run("bench", "sample", "--model",
                model.toString(), "--steps", "2", "--batch", "1", "--warmup", "0", "--runs", "1", "--threads", "1");
        assertEquals(0, viaCli.code(), viaCli.err());
        assertTrue(viaCli.out().contains("ms per denoiser call"), viaCli.out());

        StringWriter err = new StringWriter();
        CommandLine other = new CommandLine(new BenchSampleCommand());
        other.setErr(new PrintWriter(err));
        assertEquals(1, other.execute("--model", model.toString(), "--backend", "tpu"));
        assertTrue(err.toString().contains("Unknown backend 'tpu', expected one of onnx, djl"), err.toString());
    }

    @Test
    void djlBackendSamplesFromACheckpoint(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        org.ddpm4j.trainer.model.UnetSpec spec = org.ddpm4j.trainer.model.UnetSpec.preset("tiny");
        java.util.Map<String, float[]> w;
        try (org.ddpm4j.trainer.model.UnetModel m = org.ddpm4j.trainer.model.UnetModel.create(spec, 3)) {
            w = m.weights();
        }
        new org.ddpm4j.trainer.checkpoint.CheckpointStore(dir, 1).save(7, spec,
                org.ddpm4j.trainer.config.TrainingConfig.plain("synthetic", "tiny"), w, w,
                new org.ddpm4j.trainer.checkpoint.OptimizerState(7, w, w), null);
        StringWriter out = new StringWriter();
        CommandLine cmd = new CommandLine(new BenchSampleCommand());
        cmd.setOut(new PrintWriter(out));
        assertEquals(0, cmd.execute("--model", dir.toString(), "--backend", "djl", "--steps", "2", "--batch", "2",
                "--runs", "1", "--threads", "1"), out.toString());
        assertTrue(out.toString().contains("djl pytorch 1 threads"), out.toString());
        assertTrue(out.toString().contains("images/s"), out.toString());
    }
}
