package org.ddpm4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.ddpm4j.runtime.image.PngFiles;
import org.ddpm4j.runtime.pipeline.SampleFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fail fast on I/O: outputs are checked before any compute, {@code ddpm sample} writes each batch as it
 * finishes and stops at the first failed write, and every message says what is wrong and where.
 */
class FailFastOutputTest {

    @TempDir
    Path dir;

    private static SampleAndAdoptCommandTest.Run run(String... args) {
        return SampleAndAdoptCommandTest.run(args);
    }

    @Test
    void sampleStopsAtTheFirstFailedWriteNamingTheImageNotATemporaryFile() throws Exception {
        Path model = SampleAndAdoptCommandTest.adoptedModel(dir);
        Path out = dir.resolve("samples");
        Path first = out.resolve("sample-000000-seed0.png"); // 200,000 images: indexes as wide as the last, 199999
        try (ForkedDdpm sample = ForkedDdpm.start(dir, dir.resolve("sample.log"), "sample", "--model", model.toString(),
                "-n", "200000", "--batch", "1", "--sampler", "ddim", "--steps", "50", "--no-progress", "--threads", "1",
                "--out", out.toString())) {
            // images appear while sampling goes on (before, none was written until all 200,000 were drawn)
            assertTrue(sample.await(() -> Files.exists(first)), "no image written while sampling: " + sample.output());
            Path moved = dir.resolve("samples-moved");
            Files.move(out, moved);
            Files.writeString(out, "the folder became a file"); // the next write fails
            assertEquals(DdpmCommand.EXIT_BAD_INPUT, sample.exitCode(), sample.output());
            String log = sample.output().strip();
            String last = log.substring(log.lastIndexOf('\n') + 1);
            assertTrue(last.matches("ddpm sample: cannot write " + java.util.regex.Pattern.quote(out.toString())
                    + "/sample-\\d{6}-seed\\d+\\.png: " + java.util.regex.Pattern.quote(out.toString())
                    + ": (it exists and is not a folder|Not a directory)"), last);
            assertFalse(log.contains(".tmp") || log.contains("\tat "), log);
            try (Stream<Path> files = Files.list(moved)) {
                long written = files.filter(f -> f.getFileName().toString().endsWith(".png")).count();
                assertTrue(written >= 1 && written < 200000, written + " images");
            }
        }
    }

    @Test
    void trainChecksOutCheckpointEveryAndKeepBeforeLoadingDataAndLeavesNoFolder() throws Exception {
        Path file = Files.writeString(dir.resolve("existingfile"), "x");
        Path missingData = dir.resolve("no-such-data");
        String[][] cases = {
            {"--out", file.toString(), "--out " + file + " is a file, not a folder"},
            {"--checkpoint-every", "0", "--checkpoint-every must be at least 1 (steps between checkpoints), found 0"},
            {"--keep", "0", "--keep must be at least 1 (checkpoints kept), found 0"},
            {"--out", file.resolve("run").toString(), "--out " + file.resolve("run") + ": cannot create it, " + file
                    + " is a file, not a folder"},
        };
        for (String[] c : cases) {
            Path out = dir.resolve("run-" + c[0].substring(2));
            StringBuilder err = new StringBuilder();
            String[] args = c[0].equals("--out")
                    ? new String[] {"train", "--data", missingData.toString(), "--preset", "tiny", c[0], c[1]}
                    : new String[] {"train", "--data", missingData.toString(), "--preset", "tiny", "--out",
                            out.toString(), c[0], c[1]};
            assertEquals(DdpmCommand.EXIT_BAD_INPUT, TrainCommandTest.run(err, args), err.toString());
            assertEquals("ddpm train: " + c[2], err.toString().strip(), "checked before the data (which is missing)");
            assertFalse(Files.exists(out), "no run folder left behind: " + out);
        }
        // bad data: the run folder made for the lock goes again
        Path out = dir.resolve("run-bad-data");
        StringBuilder err = new StringBuilder();
        Path empty = Files.createDirectories(dir.resolve("empty-data"));
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, TrainCommandTest.run(err, "train", "--data", empty.toString(),
                "--preset", "tiny", "--out", out.toString()), err.toString());
        assertFalse(Files.exists(out), "no empty run folder left behind: " + err);
    }

    @Test
    void fidTableAndBenchCheckTheirOutputsBeforeComputing() throws Exception {
        Path model = SampleAndAdoptCommandTest.adoptedModel(dir);
        Path file = Files.writeString(dir.resolve("existingfile"), "x");
        SampleAndAdoptCommandTest.Run fid = run("fid", "--table", "--model", model.toString(), "--extractor",
                dir.resolve("no-extractor.onnx").toString(), "--out", file.toString());
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, fid.code());
        assertEquals("ddpm fid: --out " + file + " is a file, not a folder", fid.err().strip());

        Path folder = Files.createDirectories(dir.resolve("a-folder"));
        SampleAndAdoptCommandTest.Run bench = run("bench", "sample", "--model", model.toString(), "--steps", "2",
                "--batch", "1", "--warmup", "0", "--runs", "1", "--threads", "1", "--csv", folder.toString());
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, bench.code());
        assertEquals("ddpm bench sample: --csv " + folder + " is a folder, expected a file name", bench.err().strip());
        assertFalse(bench.out().contains("ms per denoiser call"), "nothing was measured: " + bench.out());
        SampleAndAdoptCommandTest.Run json = run("bench", "sample", "--model", model.toString(), "--steps", "2",
                "--batch", "1", "--warmup", "0", "--runs", "1", "--threads", "1", "--json",
                file.resolve("bench.json").toString());
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, json.code());
        assertTrue(json.err().strip().endsWith(file + " is a file, not a folder"), json.err());
    }

    @Test
    void aMalformedPngKeyIsNamedWithWhatItHeld() throws Exception {
        Path model = SampleAndAdoptCommandTest.adoptedModel(dir);
        Map<String, String> text = new LinkedHashMap<>();
        text.put(SampleFiles.KEY_SAMPLER_NAME, "ddim");
        text.put(SampleFiles.KEY_SEED, "abc");
        text.put(SampleFiles.KEY_STEPS, "4");
        Path png = dir.resolve("bad.png");
        PngFiles.write(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY), png, text);
        SampleAndAdoptCommandTest.Run r = run("sample", "--model", model.toString(), "--like", png.toString(), "--out",
                dir.resolve("out").toString(), "--no-progress");
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, r.code());
        assertEquals("ddpm sample: " + png + ": text chunk 'ddpm.seed' holds 'abc', expected an integer seed",
                r.err().strip());
    }

    @Test
    void anEmptyOnnxFileGetsOurMessageNotOnnxRuntimes() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.onnx"));
        for (String command : new String[] {"sample", "verify", "inspect"}) {
            SampleAndAdoptCommandTest.Run r = command.equals("sample")
                    ? run("sample", "--model", empty.toString(), "--out", dir.resolve("o").toString(), "--no-progress")
                    : command.equals("verify") ? run("verify", "--model", empty.toString()) : run("inspect", empty.toString());
            assertEquals(DdpmCommand.EXIT_BAD_INPUT, r.code(), command + ": " + r.err());
            assertEquals("ddpm " + command + ": " + empty + " is empty (0 bytes), expected an ONNX model file",
                    r.err().strip());
        }
    }
}
