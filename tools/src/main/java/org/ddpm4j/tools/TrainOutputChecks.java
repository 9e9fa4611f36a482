package org.ddpm4j.tools;

import java.nio.file.Path;

/**
 * What {@code ddpm train} checks about where and how often it writes, before it loads any data or
 * creates the run folder: a bad {@code --out}, {@code --checkpoint-every} or {@code --keep} fails in a
 * second and leaves nothing behind.
 */
final class TrainOutputChecks {

    private TrainOutputChecks() {
    }

    /**
     * {@code --checkpoint-every} and {@code --keep} must be at least 1.
     *
     * @throws IllegalArgumentException naming the option and the value found
     */
    static void checkpointSettings(int checkpointEvery, int keep) {
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException("--checkpoint-every must be at least 1 (steps between checkpoints),"
                    + " found " + checkpointEvery);
        }
        if (keep < 1) {
            throw new IllegalArgumentException("--keep must be at least 1 (checkpoints kept), found " + keep);
        }
    }

    /**
     * The run folder must be a writable folder, or one that can be created: not a file, not under a file.
     *
     * @throws IllegalArgumentException naming {@code --out} and what was found
     */
    static void runFolder(Path out) {
        OutputChecks.folderToCreate("--out", out);
    }
}
