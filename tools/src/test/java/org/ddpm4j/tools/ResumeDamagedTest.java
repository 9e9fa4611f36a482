package org.ddpm4j.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.ddpm4j.trainer.checkpoint.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --resume past a damaged newest checkpoint: a run folder falls back with a warning; a named one is refused. */
class ResumeDamagedTest {

    @Test
    void resumeFallsBackToTheNewestIntactCheckpoint(@TempDir Path dir) throws Exception {
        Path images = TrainCommandTest.imageFolder(dir);
        Path out = dir.resolve("run");
        StringBuilder err = new StringBuilder();
        assertEquals(0, TrainCommandTest.run(err, "train", "--data", images.toString(), "--preset", "tiny", "--steps", "4",
                "--batch", "2", "--checkpoint-every", "2", "--sample-count", "0", "--threads", "1", "--out",
                out.toString()), err.toString());
        Path newest = out.resolve("checkpoints/step-00000004");
        Path older = out.resolve("checkpoints/step-00000002");
        try (FileChannel ch = FileChannel.open(newest.resolve("optimizer.safetensors"), StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2); // a disk that filled up, a copy cut short
        }

        StringBuilder named = new StringBuilder();
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, TrainCommandTest.run(named, "train", "--resume", newest.toString(),
                "--steps", "5", "--sample-count", "0", "--threads", "1"));
        assertTrue(named.toString().contains("--resume=" + older.toRealPath()), named.toString());
        assertEquals(1, named.toString().strip().lines().count(), named.toString());

        StringBuilder run = new StringBuilder();
        assertEquals(0, TrainCommandTest.run(run, "train", "--resume", "--out", out.toString(), "--steps", "5",
                "--sample-count", "0", "--threads", "1"), run.toString());
        assertTrue(run.toString().contains("warning: the newest checkpoint " + newest.toRealPath() + " is damaged")
                && run.toString().contains("resuming from " + older.toRealPath() + " (step 2)"), run.toString());
        assertEquals(5, Checkpoint.load(out).step());
        // steps 3 and 4 were trained again: one loss row per step
        assertEquals(1 + 5, Files.readAllLines(out.resolve("loss.csv")).size());
    }
}
