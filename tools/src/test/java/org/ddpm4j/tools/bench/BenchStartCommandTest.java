package org.ddpm4j.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.ddpm4j.tools.SampleAndAdoptCommandTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ddpm bench start} with stand-in launchers (shell scripts): it runs every command in each
 * round, prints one row per command, reports failed runs, and writes CSV. No timing is asserted.
 */
class BenchStartCommandTest {

    @TempDir
    Path dir;

    private Path script(String name, String body) throws Exception {
        Path s = Files.writeString(dir.resolve(name), "#!/bin/sh\n" + body + "\n");
        assertTrue(s.toFile().setExecutable(true));
        return s;
    }

    @Test
    void timesEachCommandInEveryRoundAndWritesCsv() throws Exception {
        Path log = dir.resolve("calls.txt");
        Path launcher = script("ddpm", "echo \"$@\" >> '" + log + "'");
        Path model = Files.writeString(dir.resolve("m.onnx"), "stand-in");
        Path csv = dir.resolve("start.csv");
        SampleAndAdoptCommandTest.Run r = SampleAndAdoptCommandTest.run("bench", "start", "--launcher",
                launcher.toString(), "--model", model.toString(), "--runs", "2", "--warmup", "1", "--csv", csv.toString());
        assertEquals(0, r.code(), r.err());
        List<String> calls = Files.readAllLines(log);
        assertEquals(3 * 5, calls.size(), "five ddpm commands in each of 1 + 2 rounds: " + calls);
        assertTrue(calls.contains("--version") && calls.contains("inspect " + model.toAbsolutePath()), calls.toString());
        for (String row : List.of("java -version", "ddpm --version", "ddpm --help", "ddpm inspect MODEL",
                "ddpm sample -n 1 --steps 10", "ddpm verify --model MODEL")) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(row + " ")), row + " in\n" + r.out());
        }
        List<String> lines = Files.readAllLines(csv);
        assertEquals(7, lines.size(), lines.toString());
        assertTrue(lines.get(1).startsWith("\"java -version\",2,"), lines.get(1));
    }

    @Test
    void failingRunsAreCountedAndTheExitCodeSaysSo() throws Exception {
        Path launcher = script("ddpm", "exit 3");
        Path model = Files.writeString(dir.resolve("m.onnx"), "stand-in");
        SampleAndAdoptCommandTest.Run r = SampleAndAdoptCommandTest.run("bench", "start", "--launcher",
                launcher.toString(), "--model", model.toString(), "--runs", "1", "--warmup", "0");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("(1 runs failed)"), r.out());
    }

    @Test
    void aMissingLauncherIsBadInput() {
        SampleAndAdoptCommandTest.Run r = SampleAndAdoptCommandTest.run("bench", "start", "--launcher",
                dir.resolve("nope").toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("no ddpm launcher found at " + dir.resolve("nope")), r.err());
    }
}
