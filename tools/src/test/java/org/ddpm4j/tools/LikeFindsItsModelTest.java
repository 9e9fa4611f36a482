package org.ddpm4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.ddpm4j.runtime.image.PngFiles;
import org.ddpm4j.runtime.pipeline.SampleFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ddpm sample --like} finds the model the PNG was drawn with by its sha256 (beside the PNG, in the
 * working folder, among the shipped models), and asks for {@code --model} by base name and sha256 only when
 * none matches; the PNG records the model's base name, never a path.
 */
class LikeFindsItsModelTest {

    @Test
    void theModelBesideThePngIsFoundBySha256WhateverItsName(@TempDir Path dir) throws Exception {
        Path model = SampleAndAdoptCommandTest.adoptedModel(dir);
        Path drawn = dir.resolve("drawn");
        SampleAndAdoptCommandTest.Run r = SampleAndAdoptCommandTest.run("sample", "--model", model.toString(),
                "--sampler", "ddim", "--steps", "4", "-n", "2", "--seed", "5", "--out", drawn.toString(), "--no-progress",
                "--threads", "1");
        assertEquals(0, r.code(), r.err());
        Path png = drawn.resolve("sample-0001-seed6.png");
        Map<String, String> text = PngFiles.readText(png);
        assertEquals("adopted.onnx", text.get(SampleFiles.KEY_MODEL));
        for (String value : text.values()) {
            assertFalse(value.contains(dir.toString()), "no path in the PNG: " + value);
        }

        // shared: the PNG and the model travel to another folder, the model renamed
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Path copy = Files.copy(png, shared.resolve("liked.png"));
        Files.copy(model, shared.resolve("renamed-model.onnx"));
        Files.writeString(shared.resolve("other.onnx"), "not the model");
        Path again = dir.resolve("again");
        SampleAndAdoptCommandTest.Run l = SampleAndAdoptCommandTest.run("sample", "--like", copy.toString(), "--out",
                again.toString(), "--no-progress", "--threads", "1");
        assertEquals(0, l.code(), l.err());
        assertTrue(l.out().contains("model " + shared.resolve("renamed-model.onnx")), l.out());
        Path redrawn = again.resolve("sample-0000-seed6.png");
        java.awt.image.BufferedImage a = javax.imageio.ImageIO.read(png.toFile());
        java.awt.image.BufferedImage b = javax.imageio.ImageIO.read(redrawn.toFile());
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                assertEquals(a.getRGB(x, y), b.getRGB(x, y), "pixel " + x + "," + y);
            }
        }
        Map<String, String> redrawnText = PngFiles.readText(redrawn);
        assertEquals(text.get(SampleFiles.KEY_MODEL_SHA256), redrawnText.get(SampleFiles.KEY_MODEL_SHA256));
        assertEquals("renamed-model.onnx", redrawnText.get(SampleFiles.KEY_MODEL), "the file it was drawn with now");
    }

    @Test
    void withoutAMatchingModelItAsksForModelNamingBaseNameAndSha256(@TempDir Path dir) throws Exception {
        Path model = SampleAndAdoptCommandTest.adoptedModel(dir);
        Path drawn = dir.resolve("drawn");
        assertEquals(0, SampleAndAdoptCommandTest.run("sample", "--model", model.toString(), "--steps", "2", "-n", "1",
                "--out", drawn.toString(), "--no-progress", "--threads", "1").code());
        Path lonely = Files.createDirectories(dir.resolve("lonely"));
        Path png = Files.copy(drawn.resolve("sample-0000-seed0.png"), lonely.resolve("x.png"));
        String sha = PngFiles.readText(png).get(SampleFiles.KEY_MODEL_SHA256);
        SampleAndAdoptCommandTest.Run r = SampleAndAdoptCommandTest.run("sample", "--like", png.toString(), "--out",
                dir.resolve("o").toString(), "--no-progress");
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, r.code(), r.err());
        String line = r.err().strip();
        assertTrue(line.startsWith("ddpm sample: " + png + " was drawn by the model 'adopted.onnx' with sha256 " + sha
                + "; no .onnx file with that sha256 is in " + lonely + ", "), line);
        assertTrue(line.endsWith(": pass that model with --model FILE"), line);
        assertFalse(line.contains("\n"), line);
    }
}
