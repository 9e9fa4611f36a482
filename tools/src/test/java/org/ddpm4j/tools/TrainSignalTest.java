package org.ddpm4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.ddpm4j.trainer.checkpoint.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM during {@code ddpm train} (what {@code kill}, systemd and container runtimes send first):
 * the forked CLI finishes the step in progress, saves it as a checkpoint off the schedule, and exits
 * with 143, without a JVM crash report (before, the JVM tore libtorch down under the running step and
 * died with SIGSEGV in libtorch).
 */
class TrainSignalTest {

    @Test
    void sigtermStopsAfterTheStepInProgressWithACheckpoint(@TempDir Path dir) throws Exception {
        Path images = TrainCommandTest.imageFolder(dir);
        Path out = dir.resolve("run");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Djava.awt.headless=true", DdpmCommand.class.getName(),
                "train", "--data", images.toString(), "--preset", "tiny", "--steps", "100000", "--batch", "2",
                "--checkpoint-every", "1000000", "--sample-count", "0", "--threads", "1", "--out", out.toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("train.log").toFile());
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        Process p = pb.start();
        Path csv = out.resolve("loss.csv");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        // the progress line (a plain line into a log) appears when the loop starts; then let it run
        while (System.nanoTime() < deadline && p.isAlive() && !started(dir.resolve("train.log"))) {
            Thread.sleep(200);
        }
        Thread.sleep(2000);
        assertTrue(p.isAlive(), "training ended early: " + Files.readString(dir.resolve("train.log")));
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "no exit after SIGTERM");
        String log = Files.readString(dir.resolve("train.log"), StandardCharsets.UTF_8);
        assertEquals(143, p.exitValue(), log);
        assertFalse(log.contains("SIGSEGV") || log.contains("fatal error"), log);
        assertTrue(log.contains("stop requested") && log.contains("stopped: step "), log);
        Checkpoint saved = Checkpoint.load(out);
        assertTrue(saved.step() >= 1, "checkpoint at step " + saved.step());
        assertFalse(log.contains("\r"), "a log gets plain progress lines, not carriage-return frames");
        List<String> rows = Files.readAllLines(csv);
        assertEquals(saved.step() + 1, rows.size(), "loss.csv holds every step up to the checkpoint");
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("hs_err")), "JVM crash report");
        }
    }

    /** Whether the training loop has started (its progress line is in the log). */
    private static boolean started(Path log) throws Exception {
        return Files.exists(log) && Files.readString(log, StandardCharsets.ISO_8859_1).contains("/100000");
    }
}
