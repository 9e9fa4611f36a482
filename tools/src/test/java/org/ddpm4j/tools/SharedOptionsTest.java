package org.ddpm4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.ddpm4j.runtime.cli.DeviceOption;
import org.ddpm4j.runtime.cli.ImageCountOptions;
import org.ddpm4j.runtime.cli.RuntimeOptions;
import org.ddpm4j.runtime.cli.SamplingOptions;
import org.ddpm4j.runtime.cli.SeedOption;
import org.ddpm4j.runtime.cli.ThreadsOption;
import org.ddpm4j.runtime.image.PngFiles;
import org.ddpm4j.runtime.pipeline.SampleFiles;
import org.ddpm4j.runtime.sampling.Samplers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The options that {@code sample}, {@code fid}, {@code verify} and {@code bench sample} share (device, threads,
 * optimisation, seed, the sampler settings, the image count) are declared once, in the mixins of
 * {@code org.ddpm4j.runtime.cli}, with one default and one description each. (The Spark jobs' side of the same
 * check is {@code DdpmSparkTest} in the spark module.)
 */
class SharedOptionsTest {

    /** Every mixin of org.ddpm4j.runtime.cli. */
    static final List<Class<?>> MIXINS = List.of(DeviceOption.class, ThreadsOption.class, RuntimeOptions.class,
            SamplingOptions.class, SeedOption.class, ImageCountOptions.class);

    /**
     * Options of the {@code ddpm} tree named like a shared option but meaning something else, with the reason.
     * A command that declares a shared option's name itself must be listed here, or use the mixin.
     */
    static final Map<String, String> OTHER_MEANING = Map.ofEntries(
            Map.entry("ddpm train --steps", "training steps"),
            Map.entry("ddpm train --batch", "images per training step"),
            Map.entry("ddpm train --seed", "the seed of the training run"),
            Map.entry("ddpm train --device", "the trainer's (DJL) device"),
            Map.entry("ddpm train --threads", "PyTorch's threads"),
            Map.entry("ddpm bench train --batch", "images per training step"),
            Map.entry("ddpm bench train --device", "the trainer's (DJL) device"),
            Map.entry("ddpm bench train --threads", "PyTorch's threads"),
            Map.entry("ddpm fid train-extractor --batch", "images per training step of the extractor"),
            Map.entry("ddpm fid train-extractor --seed", "the seed of the extractor's training"),
            Map.entry("ddpm fid train-extractor --threads", "PyTorch's threads"),
            Map.entry("ddpm fid -n", "-n/--images: images per set (default 0: all)"),
            Map.entry("ddpm fid --batch", "images per extractor batch (default 64)"),
            Map.entry("ddpm bench sample --batch", "images per timed run, all in one batch"),
            Map.entry("ddpm bench soak --batch", "images per DDPM-1000 batch of the soak"));

    /** Which shared options each command of the issue has (the mixins it uses). */
    static final Map<String, Set<String>> EXPECTED = Map.of(
            "ddpm sample", Set.of("--device", "--threads", "--optimization", "--sampler", "--steps", "--spacing", "--eta",
                    "--variance", "--clip", "--clipped-model-output", "--seed", "--count", "--batch"),
            "ddpm bench sample", Set.of("--device", "--threads", "--optimization", "--sampler", "--steps", "--spacing",
                    "--eta", "--variance", "--clip", "--clipped-model-output"),
            "ddpm fid", Set.of("--device", "--threads", "--seed"),
            "ddpm verify", Set.of("--device"));

    /** The shared options as the mixins declare them, by each of their names. */
    static Map<String, OptionSpec> declared() throws ReflectiveOperationException {
        Map<String, OptionSpec> byName = new TreeMap<>();
        for (Class<?> mixin : MIXINS) {
            for (OptionSpec o : CommandSpec.forAnnotatedObject(mixin.getDeclaredConstructor().newInstance()).options()) {
                for (String name : o.names()) {
                    OptionSpec before = byName.putIfAbsent(name, o);
                    assertTrue(before == null || before.userObject().equals(o.userObject()),
                            name + " is declared twice among the mixins");
                }
            }
        }
        return byName;
    }

    /** Every command of the ddpm tree, by its qualified name. */
    static Map<String, CommandLine> commands(CommandLine root) {
        Map<String, CommandLine> all = new LinkedHashMap<>();
        List<CommandLine> todo = new ArrayList<>(List.of(root));
        while (!todo.isEmpty()) {
            CommandLine c = todo.remove(0);
            all.put(c.getCommandSpec().qualifiedName(), c);
            todo.addAll(c.getSubcommands().values());
        }
        return all;
    }

    @Test
    void everySharedOptionIsTheMixinsWithItsOneDefaultAndDescription() throws Exception {
        Map<String, OptionSpec> declared = declared();
        List<String> problems = new ArrayList<>();
        Map<String, Set<String>> found = new TreeMap<>();
        // name -> the (default, description, label) pairs seen across commands, the mixin's own first
        Map<String, Set<String>> variants = new TreeMap<>();
        declared.forEach((name, o) -> variants.computeIfAbsent(name, k -> new TreeSet<>()).add(signature(o)));
        for (Map.Entry<String, CommandLine> e : commands(new CommandLine(new DdpmCommand())).entrySet()) {
            for (OptionSpec o : e.getValue().getCommandSpec().options()) {
                for (String name : o.names()) {
                    OptionSpec shared = declared.get(name);
                    if (shared == null) {
                        continue;
                    }
                    String key = e.getKey() + " " + name;
                    if (OTHER_MEANING.containsKey(key)) {
                        assertFalse(isFromMixin(o), key + " is listed as meaning something else but is the mixin's");
                        continue;
                    }
                    if (!o.userObject().equals(shared.userObject())) {
                        problems.add(key + " is declared in " + ((Field) o.userObject()).getDeclaringClass().getName()
                                + ": use the mixin " + ((Field) shared.userObject()).getDeclaringClass().getName()
                                + ", or, if it means something else, list it in OTHER_MEANING with the reason");
                    }
                    assertEquals(List.of(shared.names()), List.of(o.names()), key);
                    variants.get(name).add(signature(o));
                    found.computeIfAbsent(e.getKey(), k -> new TreeSet<>()).add(o.longestName());
                }
            }
        }
        assertEquals(List.of(), problems);
        variants.forEach((name, seen) -> assertEquals(1, seen.size(), name + " has more than one default or description: "
                + seen));
        EXPECTED.forEach((command, names) -> assertEquals(new TreeSet<>(names), found.get(command), command));
    }

    @Test
    void theDefaultsAreTheOnesTheCommandsHadAndTheHelpShowsThem() throws Exception {
        Map<String, OptionSpec> declared = declared();
        Map<String, String> defaults = new TreeMap<>();
        declared.forEach((name, o) -> defaults.put(name, o.defaultValue()));
        Map<String, String> expected = new TreeMap<>(Map.of("--device", "cpu", "--threads", "0", "--optimization", "all",
                "--sampler", "dpmpp-sde", "--eta", "0", "--variance", "fixed_small", "--seed", "0", "-n", "16",
                "--count", "16", "--batch", "16"));
        for (String computed : List.of("--steps", "--spacing", "--clip", "--clipped-model-output")) {
            expected.put(computed, null); // depends on the sampler or the model; the description says how
        }
        assertEquals(expected, defaults);
        assertEquals("dpmpp-sde", SampleCommand.DEFAULT_SAMPLER);
        assertEquals("trailing", SampleCommand.DEFAULT_SPACING);
        assertEquals(0, SamplingOptions.defaultSteps("ddpm"));
        for (String sampler : List.of("ddim", "dpmpp", "dpmpp-sde")) {
            assertEquals(20, SamplingOptions.defaultSteps(sampler), sampler);
        }
        // the spacing and steps descriptions state the runtime's rules
        String spacing = String.join(" ", declared.get("--spacing").description());
        assertTrue(spacing.contains("linspace for ddpm/ddim, trailing for dpmpp and dpmpp-sde"), spacing);
        for (String sampler : List.of("ddpm", "ddim")) {
            assertEquals("linspace", Samplers.defaultSpacing(sampler).id(), sampler);
        }
        for (String sampler : List.of("dpmpp", "dpmpp-sde")) {
            assertEquals("trailing", Samplers.defaultSpacing(sampler).id(), sampler);
        }
        assertTrue(String.join(" ", declared.get("--steps").description()).contains("default 20; ddpm: all T"));

        Map<String, String> help = new TreeMap<>();
        for (Map.Entry<String, CommandLine> e : commands(new CommandLine(new DdpmCommand())).entrySet()) {
            StringWriter text = new StringWriter();
            e.getValue().usage(new PrintWriter(text));
            assertFalse(text.toString().contains("${"), e.getKey() + " help has an unrendered variable:\n" + text);
            help.put(e.getKey(), text.toString().replaceAll("\\s+", " "));
        }
        assertTrue(help.get("ddpm sample").contains("(default dpmpp-sde; see docs/SAMPLERS.md)"), help.get("ddpm sample"));
        assertTrue(help.get("ddpm bench sample").contains("(default dpmpp-sde; see docs/SAMPLERS.md)"));
        for (String command : EXPECTED.keySet()) {
            assertTrue(help.get(command).contains("--device=DEVICE ONNX Runtime device: cpu, cuda, cuda:ID or auto (default cpu)."),
                    help.get(command));
        }
        assertTrue(help.get("ddpm sample").contains("--optimization=L Graph optimisation: none, basic, extended or all "
                + "(default all)."), help.get("ddpm sample"));
    }

    private static boolean isFromMixin(OptionSpec o) {
        return MIXINS.contains(((Field) o.userObject()).getDeclaringClass());
    }

    private static String signature(OptionSpec o) {
        return "default=" + o.defaultValue() + ", label=" + o.paramLabel() + ", negatable=" + o.negatable()
                + ", description=" + Arrays.toString(o.description());
    }

    @Test
    void withLikeAnOptionGivenAtItsDefaultStillOverridesThePng(@TempDir Path dir) throws IOException {
        // the mixins' defaults are filled in by picocli, so ddpm sample asks the parse result what was given
        Path model = SampleAndAdoptCommandTest.adoptedModel(dir);
        SampleAndAdoptCommandTest.Run first = SampleAndAdoptCommandTest.run("sample", "--model", model.toString(),
                "--sampler", "ddim", "--steps", "8", "--spacing", "karras", "--eta", "0.5", "--variance", "fixed_large",
                "-n", "1", "--seed", "40", "--out", dir.resolve("first").toString(), "--no-progress", "--threads", "1");
        assertEquals(0, first.code(), first.err());
        Path png = dir.resolve("first").resolve("sample-0000-seed40.png");

        Path out = dir.resolve("defaults");
        SampleAndAdoptCommandTest.Run r = SampleAndAdoptCommandTest.run("sample", "--model", model.toString(), "--like",
                png.toString(), "--eta", "0", "--variance", "fixed_small", "--seed", "0", "-n", "16", "--out",
                out.toString(), "--no-progress", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("sampler ddim(8 steps, eta 0.0), spacing karras"), r.out());
        assertTrue(Files.isRegularFile(out.resolve("sample-0015-seed15.png")), r.out());
        Map<String, String> text = PngFiles.readText(out.resolve("sample-0003-seed3.png"));
        assertEquals(0.0, Double.parseDouble(text.get(SampleFiles.KEY_ETA)));
        assertEquals("fixed_small", text.get(SampleFiles.KEY_VARIANCE));
        assertEquals("karras", text.get(SampleFiles.KEY_SPACING));

        SampleAndAdoptCommandTest.Run s = SampleAndAdoptCommandTest.run("sample", "--model", model.toString(), "--like",
                png.toString(), "--sampler", SamplingOptions.DEFAULT_SAMPLER, "--out", dir.resolve("sde").toString(),
                "--no-progress", "--threads", "1");
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("sampler dpmpp-sde(8 steps), spacing karras"), s.out());
        assertTrue(s.out().contains("wrote 1 image to "), s.out());
        assertTrue(Files.isRegularFile(dir.resolve("sde").resolve("sample-0000-seed40.png")), s.out());
    }
}
