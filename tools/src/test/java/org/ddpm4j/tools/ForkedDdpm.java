package org.ddpm4j.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.ddpm4j.runtime.io.RunFolderLock;

/** {@code ddpm} in a child JVM (for tests where a process must hold something, fail alone, or be killed). */
final class ForkedDdpm implements AutoCloseable {

    final Process process;
    final Path log;

    private ForkedDdpm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts {@code ddpm args...} in {@code dir}, its output (both streams) into {@code log}. */
    static ForkedDdpm start(Path dir, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Djava.awt.headless=true", DdpmCommand.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        return new ForkedDdpm(pb.start(), log);
    }

    /** Waits until {@code condition} holds (or the process ends, or 120 s pass); whether it holds. */
    boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && process.isAlive() && !condition.getAsBoolean()) {
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }

    /** Whether this process holds the lock of {@code folder} (its pid is in the lock file). */
    boolean holdsLock(Path folder) {
        try {
            Path file = folder.resolve(RunFolderLock.FILE_NAME);
            return Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8)
                    .contains(": pid " + process.pid() + " on host ");
        } catch (IOException e) {
            return false;
        }
    }

    /** The output so far. */
    String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** Waits for the process to end and returns its exit code. */
    int exitCode() throws InterruptedException {
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            throw new AssertionError("the forked ddpm did not end");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
