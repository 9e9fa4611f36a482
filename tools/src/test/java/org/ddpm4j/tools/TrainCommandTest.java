package org.ddpm4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.ddpm4j.trainer.checkpoint.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {

    static Path imageFolder(Path dir) throws Exception {
        Path cls = Files.createDirectories(dir.resolve("images/train/a"));
        for (int i = 0; i < 6; i++) {
            BufferedImage img = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(new Color(40 * i, 255 - 40 * i, 128));
            g.fillOval(i, i, 12, 12);
            g.dispose();
            ImageIO.write(img, "png", cls.resolve("img" + i + ".png").toFile());
        }
        return dir.resolve("images");
    }

    static int run(StringBuilder err, String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            return DdpmCommand.execute(args);
        } finally {
            System.setErr(old);
            err.append(buf.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void trainsOnAnImageFolderThenResumes(@TempDir Path dir) throws Exception {
        Path images = imageFolder(dir);
        Path out = dir.resolve("run");
        StringBuilder err = new StringBuilder();
        int code = run(err, "train", "--data", images.toString(), "--preset", "tiny", "--steps", "3", "--batch", "2",
                "--checkpoint-every", "2", "--sample-every", "2", "--sample-count", "4", "--sample-steps", "2",
                "--threads", "1", "--out", out.toString());
        assertEquals(0, code, err.toString());
        assertEquals(3, Checkpoint.load(out).step());
        assertTrue(Files.isRegularFile(out.resolve("samples/step-00000002.png")), err.toString());
        assertTrue(Files.isRegularFile(out.resolve("samples/step-00000003.png")));
        assertTrue(Files.isRegularFile(out.resolve("loss.png")));
        assertEquals(4, Files.readAllLines(out.resolve("loss.csv")).size());
        assertTrue(Files.isRegularFile(out.resolve("last/weights.safetensors")));

        StringBuilder err2 = new StringBuilder();
        assertEquals(0, run(err2, "train", "--resume", "--out", out.toString(), "--steps", "4", "--sample-count", "0",
                "--threads", "1"), err2.toString());
        assertEquals(4, Checkpoint.load(out.resolve("last")).step());
        assertTrue(err2.toString().contains("resuming"), err2.toString());

        StringBuilder err3 = new StringBuilder();
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, run(err3, "train", "--data", images.toString(), "--preset", "tiny",
                "--steps", "1", "--out", out.toString()));
        assertTrue(err3.toString().contains("already holds checkpoints"), err3.toString());
    }

    @Test
    void resumeRefusesContradictingOptionsUnlessOverridden(@TempDir Path dir) throws Exception {
        Path images = imageFolder(dir);
        Path out = dir.resolve("run");
        StringBuilder err = new StringBuilder();
        assertEquals(0, run(err, "train", "--data", images.toString(), "--preset", "tiny", "--steps", "1", "--batch", "2",
                "--lr", "1e-3", "--sample-count", "0", "--threads", "1", "--out", out.toString()), err.toString());

        StringBuilder lr = new StringBuilder();
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, run(lr, "train", "--resume", "--out", out.toString(), "--steps", "2",
                "--lr", "5e-4", "--threads", "1"));
        assertTrue(lr.toString().contains("--lr 5.0E-4 contradicts the checkpoint's learning rate 0.001")
                && lr.toString().contains("--override lr"), lr.toString());
        assertEquals(1, Checkpoint.load(out).step(), "nothing trained after the refusal");

        StringBuilder data = new StringBuilder();
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, run(data, "train", "--resume", "--out", out.toString(), "--steps", "2",
                "--data", dir.resolve("elsewhere").toString(), "--threads", "1"));
        assertTrue(data.toString().contains("contradicts the checkpoint's data set " + images), data.toString());

        StringBuilder preset = new StringBuilder();
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, run(preset, "train", "--resume", "--out", out.toString(), "--steps", "2",
                "--preset", "fashion", "--override", "lr"));
        assertTrue(preset.toString().contains("--preset fashion contradicts the checkpoint's preset tiny"), preset.toString());

        StringBuilder noValue = new StringBuilder();
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, run(noValue, "train", "--resume", "--out", out.toString(), "--steps", "2",
                "--override", "lr"));
        assertTrue(noValue.toString().contains("--override lr needs the new value: add --lr VALUE"), noValue.toString());

        StringBuilder unknown = new StringBuilder();
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, run(unknown, "train", "--resume", "--out", out.toString(), "--steps", "2",
                "--override", "preset"));
        assertTrue(unknown.toString().contains("--override preset: expected one of data, batch, lr"), unknown.toString());

        StringBuilder same = new StringBuilder();
        assertEquals(0, run(same, "train", "--resume", "--out", out.toString(), "--steps", "2", "--lr", "0.001",
                "--preset", "tiny", "--sample-count", "0", "--threads", "1"), same.toString());

        StringBuilder ok = new StringBuilder();
        assertEquals(0, run(ok, "train", "--resume", "--out", out.toString(), "--steps", "3", "--lr", "5e-4",
                "--override", "lr", "--sample-count", "0", "--threads", "1"), ok.toString());
        assertTrue(ok.toString().contains("except (--override) learning rate 0.001 -> 5.0E-4"), ok.toString());
        assertEquals(5e-4, Checkpoint.load(out).config().learningRate());
        assertEquals(3, Checkpoint.load(out).step());
    }

    @Test
    void vPredictionWithMinSnrAndCosineIsRecordedExportedAndKeptOnResume(@TempDir Path dir) throws Exception {
        Path images = imageFolder(dir);
        Path out = dir.resolve("run");
        StringBuilder err = new StringBuilder();
        assertEquals(0, run(err, "train", "--data", images.toString(), "--preset", "tiny", "--steps", "2", "--batch", "2",
                "--prediction", "v", "--loss-weighting", "min-snr", "--snr-gamma", "4", "--lr-schedule", "cosine",
                "--lr-decay-from", "0", "--warmup", "0", "--sample-count", "0", "--threads", "1", "--out", out.toString()), err.toString());
        assertTrue(err.toString().contains("v prediction, loss l2 min-SNR (gamma 4.0)"), err.toString());
        org.ddpm4j.trainer.config.TrainingConfig c = Checkpoint.load(out).config();
        assertEquals(new org.ddpm4j.trainer.config.Objective("v", "min-snr", 4), c.objective());
        assertEquals(new org.ddpm4j.trainer.config.LrSchedule("cosine", 0.1, 2), c.lrSchedule());

        Path model = dir.resolve("v.onnx");
        StringBuilder exp = new StringBuilder();
        assertEquals(0, run(exp, "export", "--checkpoint", out.toString(), "--out", model.toString()), exp.toString());
        try (org.ddpm4j.runtime.onnx.OnnxDenoiser d = org.ddpm4j.runtime.onnx.OnnxDenoiser.open(model,
                org.ddpm4j.runtime.onnx.OnnxOptions.DEFAULTS)) {
            assertEquals(org.ddpm4j.runtime.sampling.Prediction.V, d.prediction());
        }

        StringBuilder eps = new StringBuilder();
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, run(eps, "train", "--resume", "--out", out.toString(), "--steps", "3",
                "--prediction", "epsilon"));
        assertTrue(eps.toString().contains("--prediction epsilon contradicts the checkpoint's prediction v"), eps.toString());
    }

    @Test
    void resumingWithACosineCoolsDownTheRestOfTheRun(@TempDir Path dir) throws Exception {
        Path images = imageFolder(dir);
        Path out = dir.resolve("run");
        StringBuilder err = new StringBuilder();
        assertEquals(0, run(err, "train", "--data", images.toString(), "--preset", "tiny", "--steps", "2", "--batch", "2",
                "--lr", "1e-3", "--warmup", "0", "--lr-schedule", "constant", "--sample-count", "0", "--threads", "1",
                "--out", out.toString()), err.toString());
        StringBuilder noCosine = new StringBuilder();
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, run(noCosine, "train", "--resume", "--out", out.toString(), "--steps",
                "6", "--lr-decay-from", "3"));
        assertTrue(noCosine.toString().contains("--lr-decay-from needs a cosine schedule: the run's is constant"),
                noCosine.toString());
        // the floor is typed at its default: a constant run records none, so nothing is contradicted
        StringBuilder cool = new StringBuilder();
        assertEquals(0, run(cool, "train", "--resume", "--out", out.toString(), "--steps", "6", "--lr-schedule", "cosine",
                "--lr-floor", "0.1", "--override", "lr-schedule", "--sample-count", "0", "--threads", "1"),
                cool.toString());
        assertTrue(cool.toString().contains("cosine from step 2 to 0.000100 at step 6"), cool.toString());
        assertEquals(new org.ddpm4j.trainer.config.LrSchedule("cosine", 0.1, 6, 2), Checkpoint.load(out).config().lrSchedule());
        // loss.csv: step, loss, lr, ...; steps 1-2 at the peak, then 0.1 + 0.9 (1 + cos(pi (k - 2) / 4)) / 2
        java.util.List<String> rows = Files.readAllLines(out.resolve("loss.csv"));
        assertEquals(7, rows.size());
        for (int k = 1; k <= 6; k++) {
            double lr = Double.parseDouble(rows.get(k).split(",")[2]);
            double factor = k <= 2 ? 1 : 0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * (k - 2) / 4.0));
            assertEquals(1e-3 * factor, lr, 1e-9, "step " + k);
        }

        // a new cool-down of a cosine run: from step 6 (at the peak again) to --steps 8
        StringBuilder again = new StringBuilder();
        assertEquals(0, run(again, "train", "--resume", "--out", out.toString(), "--steps", "8", "--lr-decay-from", "6",
                "--override", "lr-decay-from", "--sample-count", "0", "--threads", "1"), again.toString());
        assertEquals(new org.ddpm4j.trainer.config.LrSchedule("cosine", 0.1, 8, 6), Checkpoint.load(out).config().lrSchedule());
        java.util.List<String> more = Files.readAllLines(out.resolve("loss.csv"));
        assertEquals(1e-3 * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI / 2))), Double.parseDouble(more.get(7).split(",")[2]),
                1e-9, "step 7");

        StringBuilder later = new StringBuilder();
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, run(later, "train", "--resume", "--out", out.toString(), "--steps", "10",
                "--lr-decay-from", "7"));
        assertTrue(later.toString().contains("--lr-decay-from 7 contradicts the checkpoint's learning-rate decay start 6")
                && later.toString().contains("--override lr-decay-from"), later.toString());
    }

    @Test
    void flipsAreOffByDefaultAndAResumedRunChangesThemOnlyWhenTold(@TempDir Path dir) throws Exception {
        Path images = imageFolder(dir);
        Path out = dir.resolve("run");
        StringBuilder err = new StringBuilder();
        assertEquals(0, run(err, "train", "--data", images.toString(), "--preset", "tiny", "--steps", "1", "--batch", "2",
                "--sample-count", "0", "--threads", "1", "--out", out.toString()), err.toString());
        assertEquals(false, Checkpoint.load(out).config().flip());
        StringBuilder refused = new StringBuilder();
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, run(refused, "train", "--resume", "--out", out.toString(), "--steps", "2",
                "--flip"));
        assertTrue(refused.toString().contains("--flip contradicts the checkpoint's random flips false")
                && refused.toString().contains("--override flip"), refused.toString());
        StringBuilder on = new StringBuilder();
        assertEquals(0, run(on, "train", "--resume", "--out", out.toString(), "--steps", "2", "--flip", "--override", "flip",
                "--sample-count", "0", "--threads", "1"), on.toString());
        assertEquals(true, Checkpoint.load(out).config().flip());
        StringBuilder off = new StringBuilder();
        assertEquals(0, run(off, "train", "--resume", "--out", out.toString(), "--steps", "3", "--no-flip", "--override",
                "flip", "--sample-count", "0", "--threads", "1"), off.toString());
        assertEquals(false, Checkpoint.load(out).config().flip());
    }

    @Test
    void badInputEndsInOneLineAndExitCode2(@TempDir Path dir) throws Exception {
        StringBuilder err = new StringBuilder();
        Path missing = dir.resolve("nothing-here");
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, run(err, "train", "--data", missing.toString(), "--preset", "tiny",
                "--steps", "1", "--out", dir.resolve("r").toString()));
        assertTrue(err.toString().contains("ddpm train: data set not found: " + missing), err.toString());
        StringBuilder err2 = new StringBuilder();
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, run(err2, "train", "--preset", "huge", "--steps", "1"));
        assertTrue(err2.toString().contains("Unknown preset 'huge'"), err2.toString());
        StringBuilder err3 = new StringBuilder();
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, run(err3, "train", "--resume", dir.resolve("nope").toString()));
        assertTrue(err3.toString().contains("no checkpoint at"), err3.toString());
        StringBuilder err4 = new StringBuilder();
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, run(err4, "train", "--preset", "tiny", "--override", "lr"));
        assertTrue(err4.toString().contains("--override only applies with --resume"), err4.toString());
    }
}
