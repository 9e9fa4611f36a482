package org.ddpm4j.tools.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.ddpm4j.runtime.io.AtomicFiles;
import org.ddpm4j.tools.OutputChecks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ddpm bench start}: how long short {@code ddpm} commands take as whole processes, launcher
 * included, next to {@code java -version} measured in the same rounds. Each round runs the baseline,
 * then every command once; a command's ratio is the median over rounds of its time divided by the
 * baseline's time in the same round, which stays meaningful on a machine whose speed drifts. Times
 * are wall-clock from start to exit, and CPU (user + system, this process's reaped children on
 * Linux, at the kernel's tick resolution).
 */
@Command(name = "start",
        mixinStandardHelpOptions = true,
        description = {
            "Benchmark start-up: whole-process medians of short ddpm commands and of java -version in the same rounds.",
            "",
            "  ddpm bench start",
            "  DDPM_CDS=off ddpm bench start --runs 9    (without the class-data-sharing archive)",
        })
public final class BenchStartCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "5", description = "Timed rounds (default ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "1", description = "Untimed rounds first (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--launcher", paramLabel = "FILE",
            description = "The ddpm launcher script to time (default: the one of the repository this jar was built in).")
    Path launcher;

    @Option(names = "--model", paramLabel = "FILE",
            description = "Model for inspect, verify and sample (default: the shipped models/fashion-mnist/model.onnx).")
    Path model;

    @Option(names = "--csv", paramLabel = "FILE", description = "Also append one CSV line per command to FILE.")
    Path csv;

    /** One command to time: its label and its words. */
    record Probe(String label, List<String> command) {
    }

    /** One command's figures: medians (and extremes) of wall and CPU seconds, and of the ratios to the baseline. */
    record Figures(String label, double wallMedian, double wallMin, double wallMax, double cpuMedian,
            double wallRatio, double cpuRatio, int failures) {
    }

    @Override
    public Integer call() throws Exception {
        if (runs < 1 || warmup < 0) {
            throw new IllegalArgumentException("--runs must be at least 1 and --warmup at least 0, found "
                    + runs + " and " + warmup);
        }
        Path root = repositoryRoot();
        Path script = launcher != null ? launcher : root == null ? null : root.resolve("ddpm");
        if (script == null || !Files.isRegularFile(script)) {
            throw new IllegalArgumentException("no ddpm launcher found" + (script == null ? "" : " at " + script)
                    + "; give its path with --launcher");
        }
        Path m = model != null ? model : root == null ? null : root.resolve("models/fashion-mnist/model.onnx");
        if (m == null || !Files.isRegularFile(m)) {
            throw new IllegalArgumentException("model " + m + " not found; give one with --model");
        }
        if (csv != null) {
            OutputChecks.writableFile("--csv", csv);
        }
        PrintWriter out = spec.commandLine().getOut();
        Path work = Files.createTempDirectory("ddpm-bench-start");
        try {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String ddpm = script.toAbsolutePath().toString();
            String mp = m.toAbsolutePath().toString();
            List<Probe> probes = List.of(
                    new Probe("java -version", List.of(java, "-version")),
                    new Probe("ddpm --version", List.of(ddpm, "--version")),
                    new Probe("ddpm --help", List.of(ddpm, "--help")),
                    new Probe("ddpm inspect MODEL", List.of(ddpm, "inspect", mp)),
                    new Probe("ddpm sample -n 1 --steps 10", List.of(ddpm, "sample", "--model", mp, "-n", "1",
                            "--steps", "10", "--no-progress", "--out", work.resolve("samples").toString())),
                    new Probe("ddpm verify --model MODEL", List.of(ddpm, "verify", "--model", mp)));
            out.printf(Locale.ROOT, "launcher %s, model %s; %d warm-up and %d timed rounds%n", ddpm, mp, warmup, runs);
            out.flush();
            List<Figures> figures = measure(probes, work);
            out.printf(Locale.ROOT, "%-30s %8s %8s %8s %8s %10s %10s%n", "command (whole process)", "wall s",
                    "min", "max", "cpu s", "wall/java", "cpu/java");
            for (Figures f : figures) {
                out.printf(Locale.ROOT, "%-30s %8.3f %8.3f %8.3f %8.3f %10.2f %10.2f%s%n", f.label(), f.wallMedian(),
                        f.wallMin(), f.wallMax(), f.cpuMedian(), f.wallRatio(), f.cpuRatio(),
                        f.failures() == 0 ? "" : "  (" + f.failures() + " runs failed)");
            }
            out.println("medians of " + runs + " runs; ratios are medians of per-round ratios to java -version");
            out.flush();
            if (csv != null) {
                appendCsv(figures);
                out.println("appended to " + csv);
            }
            return figures.stream().anyMatch(f -> f.failures() > 0) ? 1 : 0;
        } finally {
            deleteTree(work);
        }
    }

    private List<Figures> measure(List<Probe> probes, Path work) throws IOException, InterruptedException {
        int n = probes.size();
        double[][] wall = new double[n][runs];
        double[][] cpu = new double[n][runs];
        int[] failures = new int[n];
        for (int round = -warmup; round < runs; round++) {
            for (int i = 0; i < n; i++) {
                double[] t = time(probes.get(i).command(), work);
                if (round >= 0) {
                    wall[i][round] = t[0];
                    cpu[i][round] = t[1];
                    if (t[2] != 0) {
                        failures[i]++;
                    }
                }
            }
        }
        List<Figures> result = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] wr = new double[runs];
            double[] cr = new double[runs];
            for (int r = 0; r < runs; r++) {
                wr[r] = wall[i][r] / wall[0][r];
                cr[r] = cpu[0][r] > 0 ? cpu[i][r] / cpu[0][r] : Double.NaN;
            }
            result.add(new Figures(probes.get(i).label(), median(wall[i]), min(wall[i]), max(wall[i]), median(cpu[i]),
                    median(wr), median(cr), failures[i]));
        }
        return result;
    }

    /** Runs one command to its end: wall seconds, CPU seconds (NaN where unknown), exit code. */
    private static double[] time(List<String> command, Path work) throws IOException, InterruptedException {
        Path log = work.resolve("last-output.txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .directory(work.toFile());
        long cpuBefore = ChildCpu.ticks();
        long start = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            p.waitFor();
        }
        long end = System.nanoTime();
        long cpuAfter = ChildCpu.ticks();
        double cpuSeconds = cpuBefore < 0 || cpuAfter < 0 ? Double.NaN : (cpuAfter - cpuBefore) / ChildCpu.TICKS_PER_SECOND;
        return new double[] {(end - start) / 1e9, cpuSeconds, p.exitValue()};
    }

    private void appendCsv(List<Figures> figures) throws IOException {
        StringBuilder text = new StringBuilder();
        if (Files.exists(csv)) {
            text.append(Files.readString(csv, StandardCharsets.UTF_8));
        } else {
            text.append("command,runs,wall_median_s,wall_min_s,wall_max_s,cpu_median_s,wall_ratio_java,cpu_ratio_java,failures\n");
        }
        for (Figures f : figures) {
            text.append(String.format(Locale.ROOT, "\"%s\",%d,%.4f,%.4f,%.4f,%.4f,%.3f,%.3f,%d%n", f.label(), runs,
                    f.wallMedian(), f.wallMin(), f.wallMax(), f.cpuMedian(), f.wallRatio(), f.cpuRatio(), f.failures()));
        }
        AtomicFiles.write(csv, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    static double median(double[] values) {
        double[] s = values.clone();
        java.util.Arrays.sort(s);
        int k = s.length / 2;
        return s.length % 2 == 1 ? s[k] : (s[k - 1] + s[k]) / 2;
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(Double.NaN);
    }

    /** The repository root when running from {@code tools/target/ddpm4j-tools.jar} (or its classes folder). */
    private static Path repositoryRoot() {
        try {
            Path code = Path.of(BenchStartCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path target = code.getParent();
            Path tools = target == null ? null : target.getParent();
            return tools == null ? null : tools.getParent();
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
