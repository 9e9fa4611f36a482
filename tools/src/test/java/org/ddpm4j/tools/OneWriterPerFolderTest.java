package org.ddpm4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.ddpm4j.trainer.checkpoint.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One writer per run folder: a second {@code ddpm train --resume} (or {@code ddpm sample}) into a folder another
 * process is writing is refused at once, naming that process's pid and host; once the holder is killed
 * ({@code kill -9}), the folder is free again.
 */
class OneWriterPerFolderTest {

    @Test
    void aSecondTrainerIsRefusedNamingTheFirstAndAKilledTrainersFolderIsFree(@TempDir Path dir) throws Exception {
        Path images = TrainCommandTest.imageFolder(dir);
        Path out = dir.resolve("run");
        StringBuilder err = new StringBuilder();
        assertEquals(0, TrainCommandTest.run(err, "train", "--data", images.toString(), "--preset", "tiny", "--steps",
                "1", "--batch", "2", "--sample-count", "0", "--threads", "1", "--out", out.toString()), err.toString());
        try (ForkedDdpm first = ForkedDdpm.start(dir, dir.resolve("first.log"), "train", "--resume", "--out",
                out.toString(), "--steps", "100000", "--checkpoint-every", "1000000", "--sample-count", "0",
                "--threads", "1")) {
            assertTrue(first.await(() -> first.holdsLock(out)), "the first trainer took no lock: " + first.output());
            StringBuilder second = new StringBuilder();
            assertEquals(DdpmCommand.EXIT_BAD_INPUT, TrainCommandTest.run(second, "train", "--resume", "--out",
                    out.toString(), "--steps", "100000", "--lr", "1e-3", "--override", "lr", "--threads", "1"));
            String line = second.toString().strip();
            assertTrue(line.startsWith("ddpm train: " + out + " is in use by ddpm train: pid " + first.process.pid()
                    + " on host "), line);
            assertFalse(line.contains("\n"), "one line: " + line);
            assertTrue(first.process.isAlive(), "the first trainer runs on: " + first.output());

            first.process.destroyForcibly(); // kill -9: the operating system drops its lock
            assertTrue(first.process.waitFor(60, TimeUnit.SECONDS));
        }
        StringBuilder after = new StringBuilder();
        assertEquals(0, TrainCommandTest.run(after, "train", "--resume", "--out", out.toString(), "--steps", "2",
                "--sample-count", "0", "--threads", "1"), after.toString());
        assertEquals(2, Checkpoint.load(out).step());
    }

    @Test
    void aSecondSampleIntoTheSameOutIsRefusedAndAKilledOnesFolderIsFree(@TempDir Path dir) throws Exception {
        Path model = SampleAndAdoptCommandTest.adoptedModel(dir);
        Path out = dir.resolve("samples");
        try (ForkedDdpm first = ForkedDdpm.start(dir, dir.resolve("first.log"), "sample", "--model", model.toString(),
                "-n", "200000", "--batch", "1", "--sampler", "ddim", "--steps", "50", "--no-images", "--grid",
                "--no-progress", "--threads", "1", "--out", out.toString())) {
            assertTrue(first.await(() -> first.holdsLock(out)), "the first sample run took no lock: " + first.output());
            SampleAndAdoptCommandTest.Run second = SampleAndAdoptCommandTest.run("sample", "--model", model.toString(),
                    "-n", "1", "--no-progress", "--out", out.toString());
            assertEquals(DdpmCommand.EXIT_BAD_INPUT, second.code());
            assertTrue(second.err().strip().startsWith("ddpm sample: " + out + " is in use by ddpm sample: pid "
                    + first.process.pid() + " on host "), second.err());
            assertFalse(second.out().contains("model "), "refused before the model was opened: " + second.out());
            first.process.destroyForcibly();
            assertTrue(first.process.waitFor(60, TimeUnit.SECONDS));
        }
        SampleAndAdoptCommandTest.Run after = SampleAndAdoptCommandTest.run("sample", "--model", model.toString(),
                "-n", "2", "--steps", "2", "--no-progress", "--threads", "1", "--out", out.toString());
        assertEquals(0, after.code(), after.err());
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(2, files.filter(f -> f.getFileName().toString().endsWith(".png")).count());
        }
    }
}
