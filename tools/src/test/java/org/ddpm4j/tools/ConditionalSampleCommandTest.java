package org.ddpm4j.tools;

import static org.ddpm4j.tools.SampleAndAdoptCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.ddpm4j.exporter.ModelExporter;
import org.ddpm4j.runtime.image.PngFiles;
import org.ddpm4j.trainer.model.UnetModel;
import org.ddpm4j.trainer.model.UnetSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ddpm sample --class/--guidance} on a tiny class-conditional export, and the errors around it. */
class ConditionalSampleCommandTest {

    @TempDir
    static Path shared;

    static Path model;

    @BeforeAll
    static void export() throws Exception {
        UnetSpec spec = UnetSpec.preset("tiny").withClassCount(2);
        model = shared.resolve("cond.onnx");
        try (UnetModel m = UnetModel.create(spec, 3)) {
            ModelExporter.builder().setSpec(spec).setWeights(m.weights()).optClassNames(List.of("dark", "bright"))
                    .build().export(model);
        }
    }

    @Test
    void classByNameWithGuidanceRecordsBothInEachPng(@TempDir Path out) throws Exception {
        SampleAndAdoptCommandTest.Run r = run("sample", "--model", model.toString(), "--class", "Bright",
                "--guidance", "3", "-n", "2", "--steps", "3", "--out", out.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        Path png = out.resolve("sample-0000-seed0.png");
        String bytes = new String(Files.readAllBytes(png), StandardCharsets.ISO_8859_1);
        assertTrue(bytes.contains("ddpm.class\u00001"), "class label in the PNG");
        assertTrue(bytes.contains("ddpm.class_name\u0000bright"), "class name in the PNG");
        assertTrue(bytes.contains("ddpm.guidance\u00003.0"), "guidance in the PNG");
    }

    @Test
    void withoutAClassTheImageOfSeedSIsOfClassSModKAndNoneIsTheNullLabel(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("default");
        SampleAndAdoptCommandTest.Run r = run("sample", "--model", model.toString(), "-n", "3", "--seed", "5",
                "--steps", "2", "--out", out.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("classes: seed mod 2 (0=dark, 1=bright)"), r.out());
        Map<String, String> five = PngFiles.readText(out.resolve("sample-0000-seed5.png"));
        assertEquals("1", five.get("ddpm.class"));
        assertEquals("bright", five.get("ddpm.class_name"));
        assertEquals("0", PngFiles.readText(out.resolve("sample-0001-seed6.png")).get("ddpm.class"));
        // a seed is the same image alone, in a run, and with its class named
        Path alone = dir.resolve("alone");
        assertEquals(0, run("sample", "--model", model.toString(), "-n", "1", "--seed", "6", "--steps", "2", "--out",
                alone.toString(), "--no-progress").code());
        Path dark = dir.resolve("dark");
        assertEquals(0, run("sample", "--model", model.toString(), "-n", "1", "--seed", "6", "--steps", "2", "--class",
                "dark", "--out", dark.toString(), "--no-progress").code());
        assertSamePixels(out.resolve("sample-0001-seed6.png"), alone.resolve("sample-0000-seed6.png"));
        assertSamePixels(out.resolve("sample-0001-seed6.png"), dark.resolve("sample-0000-seed6.png"));
        // --like of an image whose class came from its seed gives every seed drawn its own class
        Path liked = dir.resolve("liked");
        r = run("sample", "--like", out.resolve("sample-0001-seed6.png").toString(), "--model", model.toString(),
                "-n", "2", "--out", liked.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertEquals("0", PngFiles.readText(liked.resolve("sample-0000-seed6.png")).get("ddpm.class"));
        assertEquals("1", PngFiles.readText(liked.resolve("sample-0001-seed7.png")).get("ddpm.class"));
        assertSamePixels(out.resolve("sample-0002-seed7.png"), liked.resolve("sample-0001-seed7.png"));
        assertEquals(null, PngFiles.readText(dark.resolve("sample-0000-seed6.png")).get("ddpm.class_from"),
                "a named class is the PNG's own");

        // --class none: the null label, recorded as K, and drawn again as such by --like
        Path none = dir.resolve("none");
        r = run("sample", "--model", model.toString(), "-n", "1", "--seed", "6", "--steps", "2", "--class", "none",
                "--out", none.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        Path nonePng = none.resolve("sample-0000-seed6.png");
        assertEquals("2", PngFiles.readText(nonePng).get("ddpm.class"));
        Path again = dir.resolve("again");
        r = run("sample", "--like", nonePng.toString(), "--model", model.toString(), "--out", again.toString(),
                "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertEquals("2", PngFiles.readText(again.resolve("sample-0000-seed6.png")).get("ddpm.class"));
        assertSamePixels(nonePng, again.resolve("sample-0000-seed6.png"));
        // a PNG of a conditional model without a class (drawn when no --class meant the null label) too
        Map<String, String> text = new HashMap<>(PngFiles.readText(nonePng));
        text.remove("ddpm.class");
        Path old = dir.resolve("old.png");
        PngFiles.write(ImageIO.read(nonePng.toFile()), old, text);
        Path oldAgain = dir.resolve("old-again");
        r = run("sample", "--like", old.toString(), "--model", model.toString(), "--out", oldAgain.toString(),
                "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertSamePixels(nonePng, oldAgain.resolve("sample-0000-seed6.png"));
        r = run("sample", "--like", old.toString(), "--model", model.toString(), "--guidance", "3", "--out",
                dir.resolve("z").toString(), "--no-progress");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--guidance 3.0 needs a class: " + old + " was drawn without one (the null label)"),
                r.err());

        r = run("sample", "--model", model.toString(), "--class", "none", "--guidance", "2", "--out",
                dir.resolve("x").toString(), "--no-progress");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--guidance 2.0 needs a class: --class none draws the model without one"), r.err());
        r = run("sample", "--model", model.toString(), "--class", "nothing", "--out", dir.resolve("y").toString(),
                "--no-progress");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("or 'none' for the null label (no class)"), r.err());
    }

    private static void assertSamePixels(Path a, Path b) throws Exception {
        var x = ImageIO.read(a.toFile());
        var y = ImageIO.read(b.toFile());
        assertEquals(x.getWidth(), y.getWidth());
        assertArrayEquals(x.getRGB(0, 0, x.getWidth(), x.getHeight(), null, 0, x.getWidth()),
                y.getRGB(0, 0, y.getWidth(), y.getHeight(), null, 0, y.getWidth()), a + " vs " + b);
    }

    @Test
    void classAllDrawsOneRowPerClass(@TempDir Path out) throws Exception {
        SampleAndAdoptCommandTest.Run r = run("sample", "--model", model.toString(), "--class", "all", "-n", "3",
                "--steps", "2", "--grid", "--scale", "1", "--out", out.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(out.resolve("sample-0005-seed2.png")), "3 images of each of 2 classes");
        var grid = javax.imageio.ImageIO.read(out.resolve("grid.png").toFile());
        assertTrue(grid.getWidth() > grid.getHeight(), "3 columns, 2 rows: " + grid.getWidth() + "x" + grid.getHeight());
    }

    @Test
    void unknownClassesAndUnconditionalModelsAreClearErrors(@TempDir Path dir) throws Exception {
        SampleAndAdoptCommandTest.Run r = run("sample", "--model", model.toString(), "--class", "sneaker",
                "--out", dir.toString(), "--no-progress");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown class 'sneaker': expected a label 0..1 or one of the names (0=dark, 1=bright)"),
                r.err());
        r = run("sample", "--model", model.toString(), "--class", "2", "--out", dir.toString(), "--no-progress");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("class label 2 is out of range: expected 0..1"), r.err());
        Path plain = SampleAndAdoptCommandTest.adoptedModel(dir);
        r = run("sample", "--model", plain.toString(), "--class", "1", "--guidance", "2", "--out", dir.toString(),
                "--no-progress");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("is an unconditional model (no ddpm.class_count): --class and --guidance need a"
                + " class-conditional one"), r.err());
    }

    /**
     * A foreign conditional model: the export with all its metadata removed, as a user's own
     * {@code torch.onnx.export} would leave it. {@code ddpm adopt --class-count --class-names} makes it
     * usable by name; a count that the names contradict, names without a count, or no count at all for a
     * graph with a {@code class_label} input are one-line errors.
     */
    @Test
    void adoptGivesAForeignConditionalModelItsClassesAndNames(@TempDir Path dir) throws Exception {
        ai.onnx.proto.OnnxMl.ModelProto proto = ai.onnx.proto.OnnxMl.ModelProto.parseFrom(Files.readAllBytes(model));
        Path bare = dir.resolve("foreign.onnx");
        Files.write(bare, proto.toBuilder().clearMetadataProps().build().toByteArray());
        Path out = dir.resolve("adopted.onnx");

        SampleAndAdoptCommandTest.Run r = run("adopt", "--model", bare.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("the graph has a 'class_label' input but no ddpm.class_count metadata; add it with:"
                + " ddpm adopt --class-count K"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        r = run("adopt", "--model", bare.toString(), "--out", out.toString(), "--class-count", "2", "--class-names",
                "dark,bright,grey");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--class-names names 3 classes, expected 2 (--class-count)"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        r = run("adopt", "--model", bare.toString(), "--out", out.toString(), "--class-names", "dark,bright");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--class-names needs --class-count K"), r.err());
        assertTrue(Files.notExists(out), "nothing is written on an error");

        r = run("adopt", "--model", bare.toString(), "--out", out.toString(), "--class-count", "2", "--class-names",
                "dark, bright");
        assertEquals(0, r.code(), r.err());
        try (org.ddpm4j.runtime.onnx.OnnxDenoiser d = org.ddpm4j.runtime.onnx.OnnxDenoiser.open(out,
                org.ddpm4j.runtime.onnx.OnnxOptions.DEFAULTS)) {
            assertEquals(2, d.classCount());
            assertEquals(List.of("dark", "bright"), d.info().classNames());
            assertEquals("2", d.info().metadata().get("ddpm.class_count"));
            assertEquals("dark,bright", d.info().metadata().get("ddpm.class_names"));
        }
        Path samples = dir.resolve("samples");
        r = run("sample", "--model", out.toString(), "--class", "bright", "-n", "1", "--steps", "2", "--out",
                samples.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        String bytes = new String(Files.readAllBytes(samples.resolve("sample-0000-seed0.png")),
                StandardCharsets.ISO_8859_1);
        assertTrue(bytes.contains("ddpm.class_name\u0000bright"), "the adopted name reaches the PNG");
    }
}
