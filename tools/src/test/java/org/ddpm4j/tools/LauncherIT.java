package org.ddpm4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ddpm} launcher with the packaged jar (run by failsafe after {@code package}): it starts
 * from the class-data-sharing archive the build made, and without it, with a stale one or with a
 * damaged one it answers the same, with nothing on standard error.
 */
class LauncherIT {

    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    private static final Path TARGET = ROOT.resolve("tools/target");
    private static final Path JAR = TARGET.resolve("ddpm4j-tools.jar");
    private static final Path ARCHIVE = TARGET.resolve("ddpm4j-tools.jsa");

    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    @BeforeAll
    static void packaged() throws IOException {
        assertTrue(Files.isRegularFile(JAR), JAR + " is built by package, before this test");
        assertTrue(Files.isRegularFile(ARCHIVE), ARCHIVE + " is built by package, before this test");
        // the jar was just packaged from these sources: tell the launcher so, or it would build again
        Path stamp = TARGET.resolve(".ddpm-built");
        if (!Files.exists(stamp)) {
            Files.createFile(stamp);
        }
        Files.setLastModifiedTime(stamp, FileTime.from(Instant.now()));
    }

    private Result launch(Path launcher, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("DDPM_JAVA_OPTS");
        pb.environment().putAll(env);
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the launcher did not finish");
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** A copy of the launcher and jar beside the real lib folder, with {@code archive} bytes as its archive. */
    private Path copiedLayout(byte[] archive) throws IOException {
        Path root = Files.createDirectories(dir.resolve("copy"));
        Path target = Files.createDirectories(root.resolve("tools/target"));
        Files.copy(ROOT.resolve("ddpm"), root.resolve("ddpm"));
        root.resolve("ddpm").toFile().setExecutable(true);
        Files.copy(JAR, target.resolve("ddpm4j-tools.jar"));
        Files.createSymbolicLink(target.resolve("lib"), TARGET.resolve("lib"));
        Files.createFile(target.resolve(".ddpm-built"));
        if (archive != null) {
            Path a = Files.write(target.resolve("ddpm4j-tools.jsa"), archive);
            Files.setLastModifiedTime(a, FileTime.from(Instant.now().plusSeconds(5))); // newer than the jar
        }
        return root.resolve("ddpm");
    }

    @Test
    void startsFromTheArchive() throws Exception {
        Result r = launch(ROOT.resolve("ddpm"), Map.of("DDPM_JAVA_OPTS", "-Xmx8g -Xlog:class+load=info"), "--version");
        assertEquals(0, r.code(), r.err());
        // the JDK's own archive holds neither ddpm's classes nor picocli's (Java 5 class files): the build's does
        assertTrue(r.out().contains("org.ddpm4j.tools.DdpmCommand source: shared objects file"),
                "classes come from the build's archive");
        assertTrue(r.out().contains("picocli.CommandLine source: shared objects file"), "picocli's too");
        assertFalse(r.out().contains("source: file:"), "no class is loaded from a jar");
        assertTrue(r.out().lines().anyMatch("ddpm4j 0.1.0"::equals), "the version is printed");
    }

    @Test
    void answersTheSameWithoutAStaleOrADamagedArchive() throws Exception {
        Result with = launch(ROOT.resolve("ddpm"), Map.of(), "--version");
        assertEquals(new Result(0, "ddpm4j 0.1.0\n", ""), with);
        assertEquals(with, launch(ROOT.resolve("ddpm"), Map.of("DDPM_CDS", "off"), "--version"));
        assertEquals(with, launch(copiedLayout(null), Map.of(), "--version"), "no archive");
        deleteCopy();
        assertEquals(with, launch(copiedLayout(Files.readAllBytes(ARCHIVE)), Map.of(), "--version"),
                "an archive made for other jars");
        deleteCopy();
        byte[] damaged = Files.readAllBytes(ARCHIVE);
        for (int i = 4096; i < damaged.length; i += 4096) {
            damaged[i] ^= 0x5a;
        }
        assertEquals(with, launch(copiedLayout(damaged), Map.of(), "--version"), "a damaged archive");
        deleteCopy();
        assertEquals(with, launch(copiedLayout("not an archive".getBytes(StandardCharsets.UTF_8)), Map.of(), "--version"),
                "a file that is no archive");
        deleteCopy(); // the copy links to the real lib folder: removed here, the link only
    }

    @Test
    void inspectAnswersWithAndWithoutTheArchive() throws Exception {
        String model = ROOT.resolve("models/fashion-mnist/model.onnx").toString();
        Result with = launch(ROOT.resolve("ddpm"), Map.of(), "inspect", model);
        assertEquals(0, with.code(), with.err());
        assertTrue(with.out().contains("weights fingerprint: matches"), with.out());
        assertEquals(with, launch(ROOT.resolve("ddpm"), Map.of("DDPM_CDS", "off"), "inspect", model));
        assertFalse(with.out().contains("warning"), with.out());
    }

    private void deleteCopy() throws IOException {
        try (var s = Files.walk(dir.resolve("copy"))) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
