package org.ddpm4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.ddpm4j.runtime.io.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run killed while writing an image leaves its temporary file in {@code --out}; the next
 * {@code ddpm sample} into that folder removes it. The killed writer is a forked JVM stopped with
 * SIGKILL halfway through {@link AtomicFiles#writeVia}.
 */
class SampleLeftoversTest {

    /** The forked JVM's main: starts writing {@code args[0]} atomically and never finishes. */
    public static final class HalfWriter {
        public static void main(String[] args) throws Exception {
            AtomicFiles.writeVia(Path.of(args[0]), tmp -> {
                Files.write(tmp, new byte[4096]);
                System.out.println("writing " + tmp.getFileName());
                System.out.flush();
                try {
                    Thread.sleep(600_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
    }

    @TempDir
    Path dir;

    private static List<Path> temporaries(Path folder) throws Exception {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(AtomicFiles::isTemporary).toList();
        }
    }

    @Test
    void aRerunRemovesTheTemporaryFileOfAKilledRun() throws Exception {
        Path model = SampleAndAdoptCommandTest.adoptedModel(dir);
        Path out = Files.createDirectories(dir.resolve("out"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                HalfWriter.class.getName(), out.resolve("sample-0000-seed0.png").toString()).redirectErrorStream(true);
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        Process writer = pb.start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            String line = lines.readLine();
            assertTrue(line != null && line.startsWith("writing "), "the writer did not start: " + line);
        }
        writer.destroyForcibly();
        assertTrue(writer.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, temporaries(out).size(), "the killed writer's temporary file is there");

        SampleAndAdoptCommandTest.Run r = SampleAndAdoptCommandTest.run("sample", "--model", model.toString(),
                "-n", "1", "--steps", "2", "--out", out.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("removed 1 temporary file that a stopped run left in " + out), r.err());
        assertEquals(List.of(), temporaries(out));
        assertTrue(Files.isRegularFile(out.resolve("sample-0000-seed0.png")));
    }
}
