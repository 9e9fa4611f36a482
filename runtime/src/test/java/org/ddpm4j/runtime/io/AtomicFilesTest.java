package org.ddpm4j.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void writesIntoNewFoldersReadableByAll() throws IOException {
        Path file = dir.resolve("a/b/out.bin");
        AtomicFiles.write(file, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(file));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void aFailingWriterLeavesTheOldFileAndNoTemporary() throws IOException {
        Path file = dir.resolve("keep.txt");
        Files.writeString(file, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(file, os -> {
            os.write("half".getBytes());
            throw new IOException("disk full");
        }));
        assertEquals("cannot write " + file + ": disk full", e.getMessage());
        assertEquals("old", Files.readString(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "the temporary file must be gone");
        }
    }

    @Test
    void refusesAFolderAsTarget() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("model.onnx"));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(folder, new byte[1]));
        assertTrue(e.getMessage().contains("is a folder"), e.getMessage());
    }

    @Test
    void aFolderThatIsAFileIsNamedWithTheTargetNeverTheTemporaryFile() throws IOException {
        Path blocker = Files.writeString(dir.resolve("blocker"), "a file where a folder should be");
        Path file = blocker.resolve("out.png");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(file, new byte[] {1}));
        assertTrue(e.getMessage().startsWith("cannot write " + file + ": " + blocker), e.getMessage());
        assertTrue(!e.getMessage().contains(".tmp"), e.getMessage());
    }

    @Test
    void aFolderThatVanishesMidWriteIsNamedWithTheTarget() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("sub"));
        Path file = sub.resolve("out.png");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeVia(file, tmp -> {
            Files.delete(tmp);
            Files.delete(sub); // the folder goes away (or becomes a file) while the file is written
            Files.writeString(sub, "now a file");
        }));
        assertTrue(e.getMessage().startsWith("cannot write " + file + ": "), e.getMessage());
        assertTrue(!e.getMessage().contains(".tmp"), e.getMessage());
    }

    @Test
    void aTemporaryFileNamesItsWriter() throws IOException {
        Path file = dir.resolve("img.png");
        String[] seen = new String[1];
        AtomicFiles.writeVia(file, tmp -> {
            seen[0] = tmp.getFileName().toString();
            Files.write(tmp, new byte[] {1});
        });
        assertTrue(seen[0].startsWith(".img.png." + ProcessHandle.current().pid() + "-") && seen[0].endsWith(".tmp"), seen[0]);
        assertTrue(AtomicFiles.isTemporary(Path.of(seen[0])));
    }

    @Test
    void removeLeftoversDeletesOnlyWhatNoRunningWriterHolds() throws Exception {
        Process gone = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .redirectErrorStream(true).start();
        gone.getInputStream().readAllBytes();
        gone.waitFor();
        Path deadWriter = Files.writeString(dir.resolve(".a.png." + gone.pid() + "-123.tmp"), "half");
        Path liveWriter = Files.writeString(dir.resolve(".b.png." + ProcessHandle.current().parent().orElseThrow().pid()
                + "-456.tmp"), "half");
        Path ours = Files.writeString(dir.resolve(".c.png." + ProcessHandle.current().pid() + "-789.tmp"), "half");
        Path oldStyleOld = Files.writeString(dir.resolve(".d.png.42.tmp"), "half");
        Files.setLastModifiedTime(oldStyleOld, FileTime.from(Instant.now().minusSeconds(3600)));
        Path oldStyleNew = Files.writeString(dir.resolve(".e.png.43.tmp"), "half");
        Path image = Files.writeString(dir.resolve("f.png"), "whole");
        Path lookalike = Files.writeString(dir.resolve("g.png.1-2.tmp"), "not ours: no leading dot");

        List<Path> removed = AtomicFiles.removeLeftovers(dir);

        assertEquals(Set.of(deadWriter, oldStyleOld), Set.copyOf(removed));
        assertTrue(Files.notExists(deadWriter) && Files.notExists(oldStyleOld));
        for (Path kept : List.of(liveWriter, ours, oldStyleNew, image, lookalike)) {
            assertTrue(Files.exists(kept), kept + " must be kept");
        }
        assertEquals(List.of(), AtomicFiles.removeLeftovers(dir.resolve("missing")));
    }
}

