package org.ddpm4j.tools.fid;

import org.ddpm4j.fid.TinyOnnx;
import org.ddpm4j.fid.FidStatsFile;
import static org.ddpm4j.tools.SampleAndAdoptCommandTest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.ddpm4j.tools.DdpmCommand;
import org.ddpm4j.tools.SampleAndAdoptCommandTest.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FidCommandTest {

    @TempDir
    Path dir;


    private Path folder(String name, int count, int shift) throws IOException {
        Path f = Files.createDirectories(dir.resolve(name));
        for (int k = 0; k < count; k++) {
            BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
            for (int p = 0; p < 16; p++) {
                int v = (p * 13 + k * 7 + shift) % 256;
                img.setRGB(p % 4, p / 4, (v << 16) | (v << 8) | v);
            }
            ImageIO.write(img, "png", f.resolve(k + ".png").toFile());
        }
        return f;
    }

    @Test
    void comparesTwoFoldersAndSavesStatistics() throws IOException {
        Path ex = TinyOnnx.extractor(dir.resolve("e.onnx"), new long[] {-1, 1, 2, 2}, Map.of());
        Path a = folder("a", 12, 0);
        Path b = folder("b", 12, 90);
        Path stats = dir.resolve("a.fidstats");
        Run r = run("fid", a.toString(), b.toString(), "--extractor", ex.toString(), "--features", "features",
                "--save-stats", stats.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("FID "), r.out());
        double fid = Double.parseDouble(r.out().substring(4, r.out().indexOf(' ', 4)));
        assertTrue(fid > 0, r.out());
        assertTrue(Files.isRegularFile(stats));

        Run same = run("fid", stats.toString(), a.toString(), "--extractor", ex.toString(), "--features", "features",
                "--no-progress");
        assertEquals(0, same.code(), same.err());
        assertTrue(same.out().startsWith("FID 0.0000"), same.out());
    }

    @Test
    void aFolderIgnoresGridPngRefusesAThirdSetAndWarnsOfFewImages() throws IOException {
        Path ex = TinyOnnx.extractor(dir.resolve("e.onnx"), new long[] {-1, 1, 2, 2}, Map.of());
        Path a = folder("g", 12, 0);
        Path stats = dir.resolve("g.fidstats");
        assertEquals(0, run("fid", a.toString(), "--extractor", ex.toString(), "--features", "features",
                "--save-stats", stats.toString(), "--no-progress").code());
        // a grid.png next to the samples (ddpm sample --grid) is not a sample
        BufferedImage grid = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        grid.setRGB(0, 0, 0xffffff);
        ImageIO.write(grid, "png", a.resolve("grid.png").toFile());
        Run same = run("fid", stats.toString(), a.toString(), "--extractor", ex.toString(), "--features", "features",
                "--no-progress");
        assertEquals(0, same.code(), same.err());
        assertTrue(same.out().startsWith("FID 0.0000") && same.out().contains("12 images"), same.out());

        Run three = run("fid", a.toString(), a.toString(), a.toString(), "--extractor", ex.toString(), "--no-progress");
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, three.code());
        assertTrue(three.err().contains("expected one or two image sets, found 3"), three.err());

        Path few = folder("few", 3, 5);
        Run warned = run("fid", few.toString(), a.toString(), "--extractor", ex.toString(), "--features", "features",
                "--no-progress");
        assertEquals(0, warned.code(), warned.err());
        assertTrue(warned.err().contains("has 3 images, fewer than its 4 features"), warned.err());
        assertFalse(warned.err().contains("has 12 images"), warned.err());
    }

    private void idx(Path folder, String name, int count, int seed) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(new java.util.zip.GZIPOutputStream(bytes))) {
            out.writeInt(0x803);
            out.writeInt(count);
            out.writeInt(6);
            out.writeInt(6);
            java.util.Random rnd = new java.util.Random(seed);
            for (int i = 0; i < count * 36; i++) {
                out.writeByte(rnd.nextInt(256));
            }
        }
        Files.write(folder.resolve(name), bytes.toByteArray());
    }

    @Test
    void writesTheTableAsTextCsvAndChart() throws IOException {
        Path data = Files.createDirectories(dir.resolve("fm"));
        idx(data, "train-images-idx3-ubyte.gz", 20, 1);
        idx(data, "t10k-images-idx3-ubyte.gz", 16, 2);
        Path model = TinyOnnx.denoiser(dir.resolve("m.onnx"), 1, 4);
        Path ex = TinyOnnx.extractor(dir.resolve("e.onnx"), new long[] {-1, 1, 2, 2}, Map.of());
        Path out = dir.resolve("table");
        Run r = run("fid", "--table", "--model", model.toString(), "--extractor", ex.toString(), "--features", "features",
                "--data-dir", data.toString(), "-n", "8", "--settings", "ddim-5,ddpm-10", "--out", out.toString(),
                "--threads", "1", "--no-progress");
        assertEquals(0, r.code(), r.err());
        List<String> csv = Files.readAllLines(out.resolve("fid-table.csv"));
        assertEquals("name,sampler,steps,guidance,images,reference,fid,class_accuracy,seconds", csv.get(0));
        assertEquals(5, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(1).startsWith("noise,,0,,8,fashion-mnist-test,"), csv.get(1));
        assertTrue(csv.get(2).startsWith("fashion-mnist-train (floor),,0,,8,"), csv.get(2));
        assertTrue(csv.get(3).startsWith("model ddim-5,ddim,5,,8,"), csv.get(3));
        assertTrue(csv.get(4).startsWith("model ddpm-10,ddpm,10,,8,"), csv.get(4));
        for (String line : csv.subList(1, 5)) {
            double fid = Double.parseDouble(line.split(",")[6]);
            assertTrue(Double.isFinite(fid) && fid >= 0, line);
            assertEquals("n/a", line.split(",")[7], "an unconditional model has no class accuracy: " + line);
        }
        BufferedImage chart = ImageIO.read(out.resolve("fid-table.png").toFile());
        assertTrue(chart.getWidth() > 400 && chart.getHeight() > 4 * 28, chart.getWidth() + "x" + chart.getHeight());
        assertEquals(16, FidStatsFile.read(out.resolve("reference.fidstats")).count());
        assertTrue(r.out().contains("model ddim-5") && r.out().contains("fid-table.csv"), r.out());
    }

    @Test
    void conditionalModelTableHasGuidanceAndClassAccuracy() throws IOException {
        Path data = Files.createDirectories(dir.resolve("fm"));
        idx(data, "train-images-idx3-ubyte.gz", 8, 1);
        idx(data, "t10k-images-idx3-ubyte.gz", 8, 2);
        Path model = TinyOnnx.conditionalDenoiser(dir.resolve("c.onnx"), 1, 4);
        Path ex = TinyOnnx.brightnessClassifier(dir.resolve("k.onnx"), 4);
        Path out = dir.resolve("table");
        Run r = run("fid", "--table", "--model", model.toString(), "--extractor", ex.toString(),
                "--data-dir", data.toString(), "-n", "8", "--settings", "ddim-5,ddim-5@w0,ddim-5@none", "--out", out.toString(),
                "--threads", "1", "--no-progress");
        assertEquals(0, r.code(), r.err());
        List<String> csv = Files.readAllLines(out.resolve("fid-table.csv"));
        assertEquals(6, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(2).contains(",n/a,"), "the floor has no class accuracy: " + csv.get(2));
        // the tiny model draws class 0 dark and class 1 bright; at w = 0 every image is the null label's (bright)
        assertTrue(csv.get(3).startsWith("model ddim-5,ddim,5,1.0,8,"), csv.get(3));
        assertEquals("1.000000", csv.get(3).split(",")[7], csv.get(3));
        assertTrue(csv.get(4).startsWith("model ddim-5@w0,ddim,5,0.0,8,"), csv.get(4));
        assertEquals("0.500000", csv.get(4).split(",")[7], csv.get(4));
        // @none draws the null label for every image: w = 0's images exactly, with no class to score
        assertTrue(csv.get(5).startsWith("model ddim-5@none,ddim,5,,8,"), csv.get(5));
        assertEquals(csv.get(4).split(",")[6], csv.get(5).split(",")[6], "the same FID as w = 0");
        assertEquals("n/a", csv.get(5).split(",")[7], csv.get(5));
        assertTrue(r.out().contains("class acc") && r.out().contains("100.0%") && r.out().contains("50.0%"), r.out());
        assertTrue(ImageIO.read(out.resolve("fid-table.png").toFile()).getWidth() > 400);

        // the same measure for one model set against another set
        Run two = run("fid", "model:" + model + "?sampler=ddim&steps=5&n=8&guidance=0", "fashion-mnist-test", "--extractor", ex.toString(),
                "--data-dir", data.toString(), "--threads", "1", "--no-progress");
        assertEquals(0, two.code(), two.err());
        assertTrue(two.out().contains("class accuracy 50.00% (c.onnx ddim-5@w0: 4 of 8 samples classified as the class"
                + " they were drawn for)"), two.out());
    }

    @Test
    void guidanceOnAnUnconditionalModelIsOneClearError() throws IOException {
        Path model = TinyOnnx.denoiser(dir.resolve("u.onnx"), 1, 4);
        Path ex = TinyOnnx.brightnessClassifier(dir.resolve("k.onnx"), 4);
        Run r = run("fid", "--table", "--model", model.toString(), "--extractor", ex.toString(), "-n", "4",
                "--settings", "ddim-5,dpmpp-5@w2", "--out", dir.resolve("t").toString(), "--no-progress");
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, r.code(), r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("u.onnx is an unconditional model (no ddpm.class_count): guidance (@wW, guidance=W)"
                + ", @none and class= need a class-conditional one"), r.err());

        r = run("fid", "model:" + model + "?steps=5&n=4&class=1", "model:" + model + "?steps=5&n=4", "--extractor",
                ex.toString(), "--no-progress");
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, r.code(), r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("is an unconditional model"), r.err());

        r = run("fid", "--table", "--model", model.toString(), "--extractor", ex.toString(), "--settings", "ddim-5@2",
                "--no-progress");
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, r.code(), r.out());
        assertTrue(r.err().contains("--settings: sampler settings look like sampler-steps, sampler-steps@wGUIDANCE or"
                + " sampler-steps@none (ddim-50, dpmpp-20@w2, dpmpp-20@none), found 'ddim-5@2'"), r.err());
    }

    @Test
    void badInputEndsInOneLineAndExitCode2() throws IOException {
        Path flat = TinyOnnx.extractor(dir.resolve("flat.onnx"), new long[] {-1, 16}, Map.of());
        Path a = folder("c", 3, 0);
        Run r = run("fid", a.toString(), a.toString(), "--extractor", flat.toString(), "--no-progress");
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, r.code());
        assertTrue(r.err().contains("must be 4-D") && r.err().strip().lines().count() == 1, r.err());

        Path corrupt = Files.write(dir.resolve("bad.fidstats"), new byte[] {'D', 'D', 'P', 'M', 'F', 'I', 'D', 'S', 1, 0, 0, 0, 9, 0, 0, 0, '{'});
        r = run("fid", corrupt.toString(), corrupt.toString());
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, r.code());
        assertTrue(r.err().contains("bad.fidstats"), r.err());
    }
}
