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

        StringWriter err = new StringWriter();
        CommandLine djl = new CommandLine(new BenchSampleCommand());
        djl.setErr(new PrintWriter(err));
        assertEquals(1, djl.execute("--model", model.toString(), "--backend", "djl"));
        assertTrue(err.toString().contains("Unknown backend 'djl', expected one of onnx (the DJL backend is not written"
                + " yet)"), err.toString());
    }
}
