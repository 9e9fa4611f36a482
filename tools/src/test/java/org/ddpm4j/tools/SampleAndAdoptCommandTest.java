package org.ddpm4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.ddpm4j.runtime.image.PngFiles;
import org.ddpm4j.runtime.onnx.OnnxDenoiser;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.SampleFiles;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.ddpm4j.runtime.schedule.ScheduleType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class SampleAndAdoptCommandTest {

    @TempDir
    Path dir;

    public record Run(int code, String out, String err) {
    }

    public static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = DdpmCommand.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private Path bare(String sampleName) throws IOException {
        return GaussianOnnx.write(dir.resolve("bare-" + sampleName + ".onnx"), NoiseSchedule.cosine(100), 1, 8,
                sampleName, Map.of("producer.note", "kept"));
    }

    private Path adopted() throws IOException {
        return adoptedModel(dir);
    }

    /** A small adopted model (cosine, T = 100, 1x8x8, epsilon, no clipping) in {@code dir}, via ddpm adopt. */
    public static Path adoptedModel(Path dir) throws IOException {
        Path bare = GaussianOnnx.write(dir.resolve("bare.onnx"), NoiseSchedule.cosine(100), 1, 8, "sample",
                Map.of("producer.note", "kept"));
        Path out = dir.resolve("adopted.onnx");
        Run r = run("adopt", "--model", bare.toString(), "--out", out.toString(), "--schedule", "cosine",
                "--timesteps", "100", "--prediction", "epsilon", "--clip-sample", "false",
                "--set", "ddpm.train.dataset=gaussian");
        assertEquals(0, r.code(), r.err());
        return out;
    }

    @Test
    void adoptAddsTheContractMetadataAndKeepsTheRest() throws IOException {
        Path out = adopted();
        try (OnnxDenoiser d = OnnxDenoiser.open(out, OnnxOptions.DEFAULTS)) {
            assertEquals(ScheduleType.COSINE, d.info().schedule().type());
            assertEquals(100, d.info().schedule().timesteps());
            assertEquals(8, d.info().height());
            assertEquals(1, d.info().channels());
            assertFalse(d.info().clipSample());
            assertEquals("gaussian", d.info().metadata().get("ddpm.train.dataset"));
            assertEquals("kept", d.info().metadata().get("producer.note"));
            assertEquals("noise_pred", d.signature().outputName());
        }
    }

    @Test
    void adoptTakesADiffusersSchedulerConfig() throws IOException {
        Path config = Files.writeString(dir.resolve("scheduler_config.json"), "{\"_class_name\": \"DDPMScheduler\","
                + " \"beta_schedule\": \"squaredcos_cap_v2\", \"num_train_timesteps\": 500,"
                + " \"prediction_type\": \"v_prediction\", \"clip_sample\": false, \"variance_type\": \"fixed_small\"}");
        Path out = dir.resolve("from-diffusers.onnx");
        Run r = run("adopt", "--model", bare("sample").toString(), "--out", out.toString(), "--scheduler-config",
                config.toString());
        assertEquals(0, r.code(), r.err());
        try (OnnxDenoiser d = OnnxDenoiser.open(out, OnnxOptions.DEFAULTS)) {
            assertEquals(ScheduleType.COSINE, d.info().schedule().type());
            assertEquals(500, d.info().schedule().timesteps());
            assertEquals("v", d.info().prediction().id());
            assertFalse(d.info().clipSample());
        }
        Path thresholded = Files.writeString(dir.resolve("thresholded.json"), "{\"thresholding\": true}");
        Run t = run("adopt", "--model", bare("sample").toString(), "--out", out.toString(), "--scheduler-config",
                thresholded.toString());
        assertEquals(2, t.code());
        assertTrue(t.err().contains("thresholding") && t.err().contains("thresholded.json"), t.err());
        assertEquals(1, t.err().strip().lines().count(), t.err());
        Run both = run("adopt", "--model", bare("sample").toString(), "--out", out.toString(), "--scheduler-config",
                config.toString(), "--prediction", "epsilon");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("--prediction contradicts --scheduler-config"), both.err());
    }

    @Test
    void adoptRefusesWrongInputNamesAndCorruptFiles() throws IOException {
        Run r = run("adopt", "--model", bare("x").toString(), "--out", dir.resolve("o.onnx").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("ddpm adopt: bare-x.onnx: the graph has no input 'sample'"), r.err());
        assertTrue(r.err().contains("found inputs: x float32 [-1, 1, 8, 8], timestep int64 [-1]"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        Path junk = Files.writeString(dir.resolve("junk.onnx"), "not a model at all");
        Run j = run("adopt", "--model", junk.toString(), "--out", dir.resolve("o.onnx").toString());
        assertEquals(2, j.code());
        assertTrue(j.err().contains("junk.onnx: not an ONNX model"), j.err());
        Run c = run("adopt", "--model", bare("sample").toString(), "--out", dir.resolve("o.onnx").toString(),
                "--channels", "3");
        assertEquals(2, c.code());
        assertTrue(c.err().contains("input 'sample' must be float32 [B, 3, 8, 8]"), c.err());
    }

    @Test
    void adoptNamesAFolderAtOutBeforeReadingTheModel() throws IOException {
        // the model is wrong too (no 'sample' input): the --out folder is named first, so one fix is not followed by another
        Path folder = Files.createDirectories(dir.resolve("adopted"));
        Run r = run("adopt", "--model", bare("x").toString(), "--out", folder.toString());
        assertEquals(2, r.code());
        assertEquals("ddpm adopt: --out " + folder + " is a folder, expected a file name", r.err().strip());
    }

    @Test
    void adoptInPlaceWithABadSetValueLeavesTheModelUntouched() throws IOException {
        Path model = bare("sample");
        byte[] before = Files.readAllBytes(model);
        Run r = run("adopt", "--model", model.toString(), "--out", model.toString(),
                "--set", "ddpm.prediction=noise");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("ddpm adopt: ") && r.err().contains("ddpm.prediction"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(model)), "the input model was overwritten");
    }

    @Test
    void sampleRefusesAModelWithoutMetadataNamingAdopt() throws IOException {
        Run r = run("sample", "--model", bare("sample").toString(), "--out", dir.resolve("s").toString(),
                "--no-progress");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("metadata key 'ddpm.format' is missing") && r.err().contains("ddpm adopt"), r.err());
    }

    @Test
    void sampleWritesImagesGridAndGif() throws IOException {
        Path model = adopted();
        Path out = dir.resolve("samples");
        Run r = run("sample", "--model", model.toString(), "--sampler", "dpmpp", "--steps", "10", "-n", "5",
                "--seed", "7", "--batch", "2", "--out", out.toString(), "--grid", "--gif", "--no-progress",
                "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("grid: " + out.resolve("grid.png")), r.out());
        assertTrue(Files.isRegularFile(out.resolve("reverse.gif")));
        Map<String, String> text = PngFiles.readText(out.resolve("sample-0004-seed11.png"));
        assertEquals("11", text.get(SampleFiles.KEY_SEED));
        assertEquals("dpmpp(10 steps)", text.get(SampleFiles.KEY_SAMPLER));
        assertEquals(64, text.get(SampleFiles.KEY_MODEL_SHA256).length());
    }

    @Test
    void everyPngHoldsItsSettingsAndLikeDrawsItAgainExactly() throws IOException {
        Path model = adopted();
        Path first = dir.resolve("first");
        Run r = run("sample", "--model", model.toString(), "--sampler", "ddim", "--steps", "8", "--spacing", "karras",
                "--eta", "0.5", "-n", "3", "--seed", "40", "--batch", "3", "--out", first.toString(), "--no-progress",
                "--threads", "1");
        assertEquals(0, r.code(), r.err());
        Path png = first.resolve("sample-0002-seed42.png");
        Map<String, String> text = PngFiles.readText(png);
        assertEquals("ddim", text.get(SampleFiles.KEY_SAMPLER_NAME));
        assertEquals("8", text.get(SampleFiles.KEY_STEPS));
        assertEquals("karras", text.get(SampleFiles.KEY_SPACING));
        assertEquals("0.5", text.get(SampleFiles.KEY_ETA));
        assertEquals("fixed_small", text.get(SampleFiles.KEY_VARIANCE));
        assertEquals("false", text.get(SampleFiles.KEY_CLIP));
        assertEquals("false", text.get(SampleFiles.KEY_CLIPPED_MODEL_OUTPUT));
        assertEquals("adopted.onnx", text.get(SampleFiles.KEY_MODEL));
        assertEquals(SampleCommand.VERSION, text.get(SampleFiles.KEY_VERSION));
        assertEquals("42", text.get(SampleFiles.KEY_SEED));

        Path again = dir.resolve("again");
        Run l = run("sample", "--model", model.toString(), "--like", png.toString(), "--out", again.toString(),
                "--no-progress", "--threads", "1");
        assertEquals(0, l.code(), l.err());
        assertTrue(l.out().contains("wrote 1 image to "), l.out());
        assertTrue(l.out().contains("sampler ddim(8 steps, eta 0.5)"), l.out());
        Path redrawn = again.resolve("sample-0000-seed42.png");
        java.awt.image.BufferedImage a = javax.imageio.ImageIO.read(png.toFile());
        java.awt.image.BufferedImage b = javax.imageio.ImageIO.read(redrawn.toFile());
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                assertEquals(a.getRGB(x, y), b.getRGB(x, y), "pixel " + x + "," + y);
            }
        }
        // another model is refused, naming both hashes
        Path other = GaussianOnnx.write(dir.resolve("other.onnx"), NoiseSchedule.cosine(100), 1, 8, "sample",
                Map.of("producer.note", "other"));
        Path adoptedOther = dir.resolve("other-adopted.onnx");
        Run ad = run("adopt", "--model", other.toString(), "--out", adoptedOther.toString(), "--schedule", "cosine",
                "--timesteps", "100", "--prediction", "epsilon", "--clip-sample", "false",
                "--set", "ddpm.train.dataset=other");
        assertEquals(0, ad.code(), ad.err());
        Run wrong = run("sample", "--model", adoptedOther.toString(), "--like", png.toString(), "--out",
                dir.resolve("w").toString(), "--no-progress");
        assertEquals(2, wrong.code());
        assertTrue(wrong.err().contains("was drawn by a model with sha256 " + text.get(SampleFiles.KEY_MODEL_SHA256)),
                wrong.err());
    }

    @Test
    void aBadOutFailsBeforeSampling() throws IOException {
        Path model = adopted();
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Run r = run("sample", "--model", model.toString(), "--out", file.toString(), "--no-progress");
        assertEquals(2, r.code());
        assertEquals("ddpm sample: --out " + file + " is a file, not a folder", r.err().strip());
        assertFalse(r.out().contains("model "), "no model was opened: " + r.out());
    }

    @Test
    void withoutModelTheShippedModelIsUsedOrNamed() throws IOException {
        Path shipped = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null && shipped == null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(SampleCommand.SHIPPED_MODEL))) {
                shipped = d.resolve(SampleCommand.SHIPPED_MODEL);
            }
        }
        if (shipped != null) {
            assertEquals(shipped, SampleCommand.resolveModel(null));
        } else {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> SampleCommand.resolveModel(null));
            assertTrue(e.getMessage().startsWith("no --model given and the shipped model "
                    + SampleCommand.SHIPPED_MODEL + " is not in"), e.getMessage());
            assertTrue(e.getMessage().contains("pass --model FILE"), e.getMessage());
        }
    }

    @Test
    void badOptionsEndInOneLine() throws IOException {
        Path model = adopted();
        Run r = run("sample", "--model", model.toString(), "--sampler", "euler", "--no-progress");
        assertEquals(2, r.code());
        assertEquals("ddpm sample: Unknown sampler 'euler', expected one of ddpm, ddim, dpmpp, dpmpp-sde", r.err().strip());
        Run d = run("sample", "--model", model.toString(), "--device", "tpu", "--no-progress");
        assertEquals(2, d.code());
        assertTrue(d.err().contains("Unknown device 'tpu'"), d.err());
        Run m = run("sample", "--model", dir.resolve("absent.onnx").toString());
        assertEquals(2, m.code());
        assertTrue(m.err().contains("absent.onnx"), m.err());
    }
}
