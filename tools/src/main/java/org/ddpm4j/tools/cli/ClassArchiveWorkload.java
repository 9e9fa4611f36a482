package org.ddpm4j.tools.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ddpm4j.tools.DdpmCommand;
import picocli.CommandLine.Command;

/**
 * The run that the build records the class-data-sharing archive from ({@link ClassArchiveBuilder} starts
 * it with {@code -XX:DumpLoadedClassList}): the {@code ddpm} commands whose start-up matters, in one
 * JVM, so that the classes they load are archived already parsed and verified. It asks every
 * subcommand for its help, and inspects, verifies and samples from a model when one is given.
 *
 * <p>Its commands' output is discarded; one that fails is reported on standard error and the run
 * goes on, and it always exits 0: the archive only makes start-up faster, and the {@code ddpm}
 * launcher runs without one.
 *
 * <p>Arguments: a work folder for the images it draws, then optionally an ONNX model.
 */
public final class ClassArchiveWorkload {

    private ClassArchiveWorkload() {
    }

    /** Runs the workload: {@code WORK_DIR [MODEL.onnx]}. */
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        Files.createDirectories(work);
        Path model = args.length > 1 ? Path.of(args[1]) : null;
        List<List<String>> commands = new ArrayList<>();
        commands.add(List.of("--version"));
        commands.add(List.of("--help"));
        commands.add(List.of("help", "sample"));
        for (String[] path : subcommandPaths(DdpmCommand.class, new ArrayList<>())) {
            List<String> c = new ArrayList<>(List.of(path));
            c.add("--help");
            commands.add(c);
        }
        if (model != null && Files.isRegularFile(model)) {
            commands.add(List.of("inspect", model.toString()));
            commands.add(List.of("verify", "--model", model.toString()));
            commands.add(List.of("sample", "--model", model.toString(), "-n", "1", "--steps", "2", "--grid",
                    "--out", work.resolve("samples").toString()));
        }
        PrintStream out = System.out;
        PrintStream err = System.err;
        int failed = 0;
        for (List<String> c : commands) {
            int code;
            try {
                System.setOut(new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8));
                System.setErr(new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8));
                code = DdpmCommand.execute(c.toArray(String[]::new));
            } finally {
                System.setOut(out);
                System.setErr(err);
            }
            if (code != 0) {
                failed++;
                err.println("class archive workload: 'ddpm " + String.join(" ", c) + "' exited with " + code);
            }
        }
        out.println("class archive workload: " + commands.size() + " commands, " + failed + " failed");
    }

    /** The name paths of every subcommand below {@code cls} ({@code [sample]}, {@code [bench, train]}, ...). */
    private static List<String[]> subcommandPaths(Class<?> cls, List<String> prefix) {
        List<String[]> paths = new ArrayList<>();
        Command command = cls.getAnnotation(Command.class);
        if (command == null) {
            return paths;
        }
        for (Class<?> sub : command.subcommands()) {
            Command s = sub.getAnnotation(Command.class);
            if (s == null || s.name().equals("help")) {
                continue;
            }
            List<String> path = new ArrayList<>(prefix);
            path.add(s.name());
            paths.add(path.toArray(String[]::new));
            paths.addAll(subcommandPaths(sub, path));
        }
        return paths;
    }
}
