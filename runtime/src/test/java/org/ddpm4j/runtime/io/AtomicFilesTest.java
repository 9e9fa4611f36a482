package org.ddpm4j.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
}
