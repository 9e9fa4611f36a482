package org.ddpm4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
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
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The command line's answers to bad input (one line naming what was expected and found, exit code 2), and its
 * options shared with ddpm (the mixins of org.ddpm4j.runtime.cli, as tools' SharedOptionsTest checks for ddpm).
 */
class DdpmSparkTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = DdpmSpark.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void badCountIsOneLineBeforeSparkStarts() {
        Run r = run("sample", "--master", "local[1]", "-n", "0", "--model", "m.onnx");
        assertEquals(2, r.code());
        assertEquals(List.of("ddpm-spark sample: -n must be at least 1, found 0"), r.err().lines().toList());
    }

    @Test
    void noMasterOutsideSparkSubmitIsOneLine() {
        Run r = run("fid", "--extractor", "e.onnx", "a/", "b/");
        assertEquals(2, r.code());
        assertEquals(List.of("ddpm-spark fid: no Spark master: pass --master local[N] (or spark://HOST:PORT, yarn, ...), "
                + "or run through spark-submit"), r.err().lines().toList());
    }

    @Test
    void unknownSamplerOptionValueIsOneLine() {
        Run r = run("sample", "--master", "local[1]", "--variance", "wide");
        assertEquals(2, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    /** Options named like a shared option but meaning something else, with the reason. */
    private static final Map<String, String> OTHER_MEANING = Map.of(
            "ddpm-spark fid -n", "-n/--images: images per set, as ddpm fid's",
            "ddpm-spark fid --batch", "images per extractor batch, as ddpm fid's");

    @Test
    void sharedOptionsAreTheMixinsOfDdpmWithTheirDefaultsAndDescriptions() throws Exception {
        Map<String, OptionSpec> declared = new TreeMap<>();
        for (Class<?> mixin : List.of(DeviceOption.class, ThreadsOption.class, RuntimeOptions.class, SamplingOptions.class,
                SeedOption.class, ImageCountOptions.class, org.ddpm4j.runtime.cli.ClassOptions.class)) {
            for (OptionSpec o : CommandSpec.forAnnotatedObject(mixin.getDeclaredConstructor().newInstance()).options()) {
                for (String name : o.names()) {
                    declared.put(name, o);
                }
            }
        }
        CommandLine root = new CommandLine(new DdpmSpark());
        Map<String, Set<String>> found = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (CommandLine c : root.getSubcommands().values()) {
            String command = c.getCommandSpec().qualifiedName();
            for (OptionSpec o : c.getCommandSpec().options()) {
                for (String name : o.names()) {
                    OptionSpec shared = declared.get(name);
                    if (shared == null || OTHER_MEANING.containsKey(command + " " + name)) {
                        continue;
                    }
                    if (!o.userObject().equals(shared.userObject())) {
                        problems.add(command + " " + name + " is declared in "
                                + ((Field) o.userObject()).getDeclaringClass().getName() + ": use the mixin "
                                + ((Field) shared.userObject()).getDeclaringClass().getName());
                    }
                    assertEquals(signature(shared), signature(o), command + " " + name);
                    found.computeIfAbsent(command, k -> new TreeSet<>()).add(o.longestName());
                }
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(Map.of(
                "ddpm-spark sample", new TreeSet<>(Set.of("--device", "--threads", "--optimization", "--sampler", "--steps", "--spacing", "--eta",
                        "--variance", "--clip", "--clipped-model-output", "--seed", "--count", "--batch", "--class",
                        "--guidance")),
                "ddpm-spark fid", new TreeSet<>(Set.of("--device"))), found);

        StringWriter help = new StringWriter();
        root.getSubcommands().get("sample").usage(new PrintWriter(help));
        assertFalse(help.toString().contains("${"), help.toString());
        assertTrue(help.toString().replaceAll("\\s+", " ").contains("(default dpmpp-sde; see docs/SAMPLERS.md)"),
                help.toString());
    }

    @Test
    void sampleWithoutOptionsHasDdpmSamplesDefaultsAndEveryOptionReachesTheJob() {
        CommandLine cmd = new CommandLine(new DdpmSpark());
        CommandLine sample = cmd.getSubcommands().get("sample");
        cmd.parseArgs("sample");
        assertEquals(SampleSettings.defaults(ShippedDefaults.find(ShippedDefaults.MODEL).orElseThrow().toString(), 16,
                "samples"), ((DdpmSpark.Sample) sample.getCommand()).settings());

        cmd = new CommandLine(new DdpmSpark());
        sample = cmd.getSubcommands().get("sample");
        cmd.parseArgs("sample", "--model", "m.onnx", "--out", "o", "--sampler", "ddim", "--steps", "7", "--spacing",
                "karras", "--eta", "0.5", "--variance", "fixed_large", "--clip", "--clipped-model-output", "-n", "5",
                "--seed", "9", "--batch", "2", "--device", "auto", "--partitions", "3", "--threads", "3",
                "--optimization", "basic");
        SampleSettings s = ((DdpmSpark.Sample) sample.getCommand()).settings();
        assertEquals(new SampleSettings("m.onnx", "o", "ddim", 7, 5, 9, 2, 0.5, "fixed_large", "karras", true, true, null,
                null, "auto", 3, "basic", 3, 10_000, false), s);
        var options = s.request(0, 2, org.ddpm4j.runtime.model.ModelInfo.of(org.ddpm4j.runtime.sampling.Prediction.EPSILON,
                org.ddpm4j.runtime.schedule.NoiseSchedule.defaultLinear(), 8, 8, 1, false)).options();
        assertTrue(options.clippedModelOutput());
        assertEquals(0.5, options.eta());
    }

    private static String signature(OptionSpec o) {
        return "names=" + Arrays.toString(o.names()) + ", default=" + o.defaultValue() + ", label=" + o.paramLabel()
                + ", negatable=" + o.negatable() + ", description=" + Arrays.toString(o.description());
    }
}
