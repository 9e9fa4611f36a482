package org.ddpm4j.tools;

import static org.ddpm4j.tools.SampleAndAdoptCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.ddpm4j.exporter.ModelExporter;
import org.ddpm4j.runtime.image.InputImages;
import org.ddpm4j.runtime.image.PngFiles;
import org.ddpm4j.runtime.pipeline.EditKeys;
import org.ddpm4j.trainer.model.UnetModel;
import org.ddpm4j.trainer.model.UnetSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ddpm sample}'s editing modes end to end: files, PNG text, {@code --like}, and the refusals. */
class EditCommandTest {

    @TempDir
    static Path shared;

    /** The adopted Gaussian model: 1x8x8, cosine T = 100, epsilon, no clipping. */
    static Path model;

    @BeforeAll
    static void models() throws IOException {
        model = SampleAndAdoptCommandTest.adoptedModel(shared);
    }

    /** A noisy 8x8 gray picture. */
    private static Path picture(Path file, int size, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                img.setRGB(x, y, r.nextInt(256) * 0x010101);
            }
        }
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    /** White (regenerate) right half, black left half; {@code gray} paints the left half dark gray instead. */
    private static Path rightHalfMask(Path file, int size, boolean gray) throws IOException {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                img.setRGB(x, y, x >= size / 2 ? 0xFFFFFF : gray ? 0x606060 : 0);
            }
        }
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    private static int[] pixels(Path png) throws IOException {
        return InputImages.pixels(ImageIO.read(png.toFile())); // stored values (getRGB brightens gray PNGs)
    }

    private static String line(SampleAndAdoptCommandTest.Run r) {
        String[] lines = r.err().strip().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void imageToImageRecordsItsSettingsAndLikeRemakesIt(@TempDir Path dir) throws IOException {
        Path init = picture(dir.resolve("start.png"), 8, 1);
        Path out = dir.resolve("out");
        SampleAndAdoptCommandTest.Run r = run("sample", "--model", model.toString(), "--init", init.toString(),
                "--strength", "0.5", "--sampler", "ddim", "--steps", "10", "--eta", "1", "-n", "2", "--out",
                out.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("strength 0.5: 5 model calls per image"), r.out());
        Path png = out.resolve("sample-0001-seed1.png");
        Map<String, String> text = PngFiles.readText(png);
        assertEquals("img2img", text.get(EditKeys.MODE));
        assertEquals(init.toString(), text.get(EditKeys.INIT));
        assertEquals(EditOptions.sha256(init), text.get(EditKeys.INIT_SHA256));
        assertEquals("0.5", text.get(EditKeys.STRENGTH));
        assertEquals("8x8", text.get(EditKeys.INIT_SIZE));

        Path again = dir.resolve("again");
        r = run("sample", "--like", png.toString(), "--model", model.toString(), "--out", again.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(pixels(png), pixels(again.resolve("sample-0000-seed1.png")));

        // the starting image moved away: --like names it; next to the PNG it is found again
        Path moved = Files.move(init, dir.resolve("elsewhere.png"));
        r = run("sample", "--like", png.toString(), "--model", model.toString(), "--out", again.toString(), "--no-progress");
        assertEquals(2, r.code());
        assertTrue(line(r).contains("was drawn from the init image '" + init + "'") && line(r).contains("--init FILE"),
                r.err());
        Files.copy(moved, out.resolve("start.png"));
        r = run("sample", "--like", png.toString(), "--model", model.toString(), "--out", dir.resolve("third").toString(),
                "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(pixels(png), pixels(dir.resolve("third").resolve("sample-0000-seed1.png")));
        // another file under that name is refused by its sha256
        picture(out.resolve("start.png"), 8, 2);
        r = run("sample", "--like", png.toString(), "--model", model.toString(), "--out", again.toString(), "--no-progress");
        assertEquals(2, r.code());
        assertTrue(line(r).contains("was drawn from the init image with sha256"), r.err());
    }

    @Test
    void inpaintingKeepsTheBlackPartOfTheMaskExactlyAndLikeRemakesIt(@TempDir Path dir) throws IOException {
        Path init = picture(dir.resolve("garment.png"), 8, 3);
        Path mask = rightHalfMask(dir.resolve("mask.png"), 8, true);
        Path out = dir.resolve("out");
        SampleAndAdoptCommandTest.Run r = run("sample", "--model", model.toString(), "--init", init.toString(),
                "--mask", mask.toString(), "--steps", "10", "--jump-length", "3", "--jump-n-sample", "2", "-n", "3",
                "--out", out.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("sampler ddim(10 steps"), r.out()); // inpainting's default sampler
        assertTrue(r.out().contains("32 of 64 pixels"), r.out());
        int[] given = pixels(init);
        for (int k = 0; k < 3; k++) {
            int[] made = pixels(out.resolve("sample-000" + k + "-seed" + k + ".png"));
            int changed = 0;
            for (int p = 0; p < 64; p++) {
                if (p % 8 < 4) {
                    assertEquals(given[p], made[p], "image " + k + " kept pixel " + p);
                } else if (given[p] != made[p]) {
                    changed++;
                }
            }
            assertTrue(changed > 16, "the right half was regenerated: " + changed);
        }
        Path png = out.resolve("sample-0002-seed2.png");
        Map<String, String> text = PngFiles.readText(png);
        assertEquals("inpaint", text.get(EditKeys.MODE));
        assertEquals(EditOptions.sha256(mask), text.get(EditKeys.MASK_SHA256));
        assertEquals("3", text.get(EditKeys.JUMP_LENGTH));
        assertEquals("2", text.get(EditKeys.JUMP_N_SAMPLE));
        r = run("sample", "--like", png.toString(), "--model", model.toString(), "--out", dir.resolve("again").toString(),
                "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(pixels(png), pixels(dir.resolve("again").resolve("sample-0000-seed2.png")));
    }

    @Test
    void badEditsAreOneLineAndExitTwo(@TempDir Path dir) throws IOException {
        Path init = picture(dir.resolve("a.png"), 8, 4);
        Path big = picture(dir.resolve("big.png"), 16, 5);
        Path mask = rightHalfMask(dir.resolve("m.png"), 8, false);
        Path bigMask = rightHalfMask(dir.resolve("m16.png"), 16, false);
        Path black = dir.resolve("black.png");
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", black.toFile());
        Path out = dir.resolve("out");
        String m = model.toString();
        Object[][] cases = {
            {new String[] {"--init", init.toString(), "--strength", "1.5"}, "strength must be in (0, 1]"},
            {new String[] {"--init", init.toString(), "--strength", "0"}, "strength must be in (0, 1]"},
            {new String[] {"--strength", "0.5"}, "--strength needs --init IMAGE"},
            {new String[] {"--init", dir.resolve("missing.png").toString()}, "missing.png"},
            {new String[] {"--init", init.toString(), "--mask", bigMask.toString()},
                "--mask " + bigMask + " is 16x16 pixels, expected the size of --init " + init + ", 8x8"},
            {new String[] {"--init", init.toString(), "--mask", black.toString()}, "has no white pixel"},
            {new String[] {"--init", init.toString(), "--mask", mask.toString(), "--sampler", "dpmpp-sde"},
                "inpainting (RePaint) needs an ancestral sampler, ddpm or ddim"},
            {new String[] {"--init", init.toString(), "--mask", mask.toString(), "--strength", "0.5"},
                "give one of --strength and --mask"},
            {new String[] {"--init", big.toString(), "--no-resize"},
                "--init " + big + " is 16x16 pixels, the model takes 8x8 (resizing is off: --no-resize)"},
            {new String[] {"--interpolate", "3"}, "--interpolate takes two seeds as A,B"},
            {new String[] {"--interpolate", "3,4", "--frames", "1"}, "--frames must be at least 2"},
            {new String[] {"--interpolate", "3,4", "--sampler", "ddpm", "--steps", "5"},
                "interpolation needs a deterministic sampler"},
            {new String[] {"--frames", "4"}, "--frames needs --interpolate A,B"},
            {new String[] {"--jump-length", "4"}, "they need --mask"},
        };
        for (Object[] c : cases) {
            String[] extra = (String[]) c[0];
            String[] args = new String[6 + extra.length];
            System.arraycopy(new String[] {"sample", "--model", m, "--out", out.toString(), "--no-progress"}, 0, args, 0, 6);
            System.arraycopy(extra, 0, args, 6, extra.length);
            SampleAndAdoptCommandTest.Run r = run(args);
            assertEquals(2, r.code(), String.join(" ", extra) + ": " + r.err());
            assertEquals(1, r.err().strip().split("\n").length, r.err());
            assertTrue(r.err().contains((String) c[1]), String.join(" ", extra) + ": " + r.err());
        }
        assertFalse(Files.exists(out.resolve("sample-0000-seed0.png")), "nothing was written");
    }

    @Test
    void aLargerImageIsResizedAndTheFilterRecorded(@TempDir Path dir) throws IOException {
        Path big = picture(dir.resolve("big.png"), 16, 6);
        Path out = dir.resolve("out");
        SampleAndAdoptCommandTest.Run r = run("sample", "--model", model.toString(), "--init", big.toString(),
                "--steps", "4", "-n", "1", "--out", out.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("16x16, resized to 8x8 with the bilinear"), r.out());
        Map<String, String> text = PngFiles.readText(out.resolve("sample-0000-seed0.png"));
        assertEquals("16x16", text.get(EditKeys.INIT_SIZE));
        assertTrue(text.get(EditKeys.RESIZE).startsWith("bilinear"));
        assertEquals("0.8", text.get(EditKeys.STRENGTH)); // diffusers' default
    }

    @Test
    void interpolationEndsAreTheSeedsAloneAndLikeRemakesAFrame(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("interp");
        SampleAndAdoptCommandTest.Run r = run("sample", "--model", model.toString(), "--interpolate", "4,9", "--frames",
                "5", "--steps", "6", "--out", out.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("sampler dpmpp(6 steps"), r.out()); // interpolation's default sampler
        for (String f : List.of("frame-0000.png", "frame-0004.png", "interpolation.png", "interpolation.gif")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        for (long seed : new long[] {4, 9}) {
            Path alone = dir.resolve("seed" + seed);
            assertEquals(0, run("sample", "--model", model.toString(), "--sampler", "dpmpp", "--steps", "6", "--seed",
                    Long.toString(seed), "-n", "1", "--out", alone.toString(), "--no-progress").code());
            assertArrayEquals(pixels(alone.resolve("sample-0000-seed" + seed + ".png")),
                    pixels(out.resolve(seed == 4 ? "frame-0000.png" : "frame-0004.png")), "seed " + seed);
        }
        Map<String, String> text = PngFiles.readText(out.resolve("frame-0002.png"));
        assertEquals("interpolate", text.get(EditKeys.MODE));
        assertEquals("4,9", text.get(EditKeys.INTERPOLATE));
        assertEquals("5", text.get(EditKeys.FRAMES));
        assertEquals("2", text.get(EditKeys.FRAME));
        Path again = dir.resolve("again");
        r = run("sample", "--like", out.resolve("frame-0002.png").toString(), "--model", model.toString(), "--out",
                again.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(pixels(out.resolve("frame-0002.png")), pixels(again.resolve("frame-0002.png")));
        assertFalse(Files.exists(again.resolve("frame-0000.png")));
    }

    @Test
    void aConditionalInterpolationDrawsSeedAsClassInEveryFrame(@TempDir Path dir) throws Exception {
        UnetSpec spec = UnetSpec.preset("tiny").withClassCount(2);
        Path cond = dir.resolve("cond.onnx");
        try (UnetModel m = UnetModel.create(spec, 3)) {
            ModelExporter.builder().setSpec(spec).setWeights(m.weights()).optClassNames(List.of("dark", "bright"))
                    .build().export(cond);
        }
        Path out = dir.resolve("out");
        SampleAndAdoptCommandTest.Run r = run("sample", "--model", cond.toString(), "--interpolate", "5,6", "--frames",
                "3", "--steps", "2", "--out", out.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("every frame of seed 5's class 1"), r.out());
        for (int f = 0; f < 3; f++) {
            assertEquals("1", PngFiles.readText(out.resolve("frame-000" + f + ".png")).get("ddpm.class"), "frame " + f);
        }
        // the end at seed 6 is seed 6 drawn alone for seed 5's class
        Path alone = dir.resolve("alone");
        assertEquals(0, run("sample", "--model", cond.toString(), "--sampler", "dpmpp", "--steps", "2", "--seed", "6",
                "-n", "1", "--class", "bright", "--out", alone.toString(), "--no-progress").code());
        assertArrayEquals(pixels(alone.resolve("sample-0000-seed6.png")), pixels(out.resolve("frame-0002.png")));
    }
}
