package org.ddpm4j.tools.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.ddpm4j.tools.DdpmCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The lazily built {@code ddpm} command tree answers exactly as picocli's eagerly built one: the same
 * usage help for {@code ddpm} and every subcommand, the same version, the same errors. And a command
 * that does not train loads no DJL, Spark or Micronaut class (a forked JVM logs its class loading).
 */
class LazyCommandTreeTest {

    private record Answer(int code, String out, String err) {
    }

    private static Answer run(CommandLine line, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));
        int code = line.execute(args);
        return new Answer(code, out.toString(), err.toString());
    }

    private static Answer eager(String... args) {
        return run(new CommandLine(DdpmCommand.class), args);
    }

    private static Answer lazy(String... args) {
        try (CommandFactory factory = new CommandFactory(DdpmCommand.class)) {
            return run(LazyCommandTree.build(DdpmCommand.class, factory, args), args);
        }
    }

    /** Every subcommand's name path: [train], [bench, sample], [fid, train-extractor], ... */
    private static List<List<String>> paths(CommandLine line, List<String> prefix) {
        List<List<String>> all = new ArrayList<>();
        for (Map.Entry<String, CommandLine> e : line.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            List<String> path = new ArrayList<>(prefix);
            path.add(e.getKey());
            all.add(path);
            all.addAll(paths(e.getValue(), path));
        }
        return all;
    }

    @Test
    void helpVersionAndErrorsAreThoseOfTheEagerTree() {
        List<List<String>> cases = new ArrayList<>(List.of(List.of("--help"), List.of("-h"), List.of("--version"),
                List.of("-V"), List.of(), List.of("help"), List.of("bogus"), List.of("samp"), List.of("help", "bogus"),
                List.of("bench"), List.of("bench", "bogus")));
        List<List<String>> subcommands = paths(new CommandLine(DdpmCommand.class), List.of());
        assertTrue(subcommands.size() >= 10, subcommands.toString());
        for (List<String> path : subcommands) {
            List<String> help = new ArrayList<>(path);
            help.add("--help");
            cases.add(help);
            List<String> helpCommand = new ArrayList<>(List.of("help"));
            helpCommand.addAll(path.subList(0, 1));
            cases.add(helpCommand);
        }
        for (List<String> c : cases) {
            String[] args = c.toArray(String[]::new);
            assertEquals(eager(args), lazy(args), "ddpm " + String.join(" ", c));
        }
    }

    @Test
    void onlyTheNamedSubcommandsAreBuilt() {
        try (CommandFactory factory = new CommandFactory(DdpmCommand.class)) {
            CommandLine line = LazyCommandTree.build(DdpmCommand.class, factory, "inspect", "m.onnx");
            Map<String, CommandLine> subs = line.getSubcommands();
            assertFalse(subs.get("inspect").getCommandSpec().options().isEmpty(), "inspect is built in full");
            assertTrue(subs.get("train").getCommandSpec().options().isEmpty(), "train is only a stand-in");
            assertEquals(new CommandLine(DdpmCommand.class).getSubcommands().keySet(), subs.keySet());
        }
    }

    /** Classes a forked {@code ddpm ARGS} loads, from {@code -Xlog:class+load}. */
    private static String classesLoaded(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info", "-Dai.djl.offline=true", "-Djava.awt.headless=true", DdpmCommand.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out.lines().filter(l -> !l.contains("[class,load]")).toList().toString());
        return out;
    }

    @Test
    void commandsThatDoNotTrainLoadNoDjlSparkOrMicronautClass() throws Exception {
        for (String[] args : List.of(new String[] {"--version"}, new String[] {"--help"}, new String[] {"sample", "--help"},
                new String[] {"inspect", "--help"}, new String[] {"verify", "--help"}, new String[] {"bench", "start", "--help"})) {
            String log = classesLoaded(args);
            assertTrue(log.contains("org.ddpm4j.tools.DdpmCommand"), "the log lists loaded classes");
            for (String forbidden : List.of(" ai.djl.", " org.apache.spark.", " io.micronaut.")) {
                assertFalse(log.contains(forbidden), "ddpm " + String.join(" ", args) + " loaded" + forbidden + "* classes");
            }
        }
        assertTrue(classesLoaded("bench", "train", "--help").contains(" ai.djl."), "bench train --help does load DJL (the check can fail)");
    }
}
