package org.ddpm4j.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer per folder: a second holder is refused naming the first; a killed holder's lock is gone. */
class RunFolderLockTest {

    @TempDir
    Path dir;

    @Test
    void aSecondWriterInThisProcessIsRefusedAndTheFirstReleaseFreesTheFolder() throws Exception {
        Path run = dir.resolve("run");
        try (RunFolderLock first = RunFolderLock.acquire(run, "ddpm train")) {
            Files.writeString(run.resolve("loss.csv"), "step,loss\n");
            RunFolderLock.FolderInUseException e = assertThrows(RunFolderLock.FolderInUseException.class,
                    () -> RunFolderLock.acquire(run, "ddpm train"));
            assertTrue(e.getMessage().startsWith(run + " is in use by ddpm train: pid " + ProcessHandle.current().pid()
                    + " on host "), e.getMessage());
        }
        try (RunFolderLock again = RunFolderLock.acquire(run, "ddpm train")) {
            assertEquals(run, again.folder());
        }
        assertTrue(Files.isRegularFile(run.resolve("loss.csv")), "a folder with output stays");
    }

    @Test
    void aFolderTheLockCreatedAndNothingWasWrittenToIsRemoved() throws Exception {
        Path run = dir.resolve("never-used");
        RunFolderLock.acquire(run, "ddpm train").close();
        assertFalse(Files.exists(run), "no empty run folder is left behind");
        Path deep = dir.resolve("runs/2026/first");
        RunFolderLock.acquire(deep, "ddpm train").close();
        assertFalse(Files.exists(dir.resolve("runs")), "nor the parents made for it");
        Path existing = Files.createDirectories(dir.resolve("existing"));
        RunFolderLock.acquire(existing, "ddpm sample").close();
        assertTrue(Files.isDirectory(existing), "a folder that was there before stays");
    }

    @Test
    void anotherProcessIsNamedWithItsPidAndAKilledHoldersLockIsGone() throws Exception {
        Path run = dir.resolve("run");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), run.toString())
                .redirectErrorStream(true);
        Process holder = pb.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("locked " + run, out.readLine());
            RunFolderLock.FolderInUseException e = assertThrows(RunFolderLock.FolderInUseException.class,
                    () -> RunFolderLock.acquire(run, "ddpm train"));
            assertTrue(e.holder().startsWith("lock-holder: pid " + holder.pid() + " on host "), e.getMessage());
            holder.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup of its own
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
            try (RunFolderLock mine = RunFolderLock.acquire(run, "ddpm train")) {
                assertTrue(Files.readString(run.resolve(RunFolderLock.FILE_NAME)).startsWith("ddpm train: pid "
                        + ProcessHandle.current().pid()));
            }
        } finally {
            holder.destroyForcibly();
        }
    }
}
