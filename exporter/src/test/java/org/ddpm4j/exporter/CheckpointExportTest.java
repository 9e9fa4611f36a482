package org.ddpm4j.exporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ddpm4j.trainer.checkpoint.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointExportTest {

    @Test
    void aCorruptDescriptionIsRefusedInOneLineNamingTheFile(@TempDir Path dir) throws IOException {
        Path desc = Files.writeString(dir.resolve(Checkpoint.DESCRIPTION), "{\"format\": \"ddpm4j-checkpoint/1\", \"spec\": ");
        IOException e = assertThrows(IOException.class, () -> CheckpointExport.validate(dir, "ema"));
        assertTrue(e.getMessage().startsWith("corrupt checkpoint description " + desc.toRealPath()), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
}
