package org.ddpm4j.fid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FidStatsFileTest {

    @TempDir
    Path dir;

    private FeatureStatistics sample() {
        FeatureAccumulator acc = new FeatureAccumulator(5);
        acc.add(FrechetDistanceTest.gaussianRows(new Random(2), 40, 5, 0.5, 1.5), 40);
        return acc.statistics("sha256:abcd#features", "folder samples/");
    }

    @Test
    void roundTripsExactly() throws IOException {
        FeatureStatistics s = sample();
        Path f = dir.resolve("a.fidstats");
        FidStatsFile.write(s, f);
        assertTrue(FidStatsFile.looksLikeStats(f));
        FeatureStatistics r = FidStatsFile.read(f);
        assertEquals(s.count(), r.count());
        assertArrayEquals(s.mean(), r.mean(), 0.0);
        assertArrayEquals(s.covariance(), r.covariance(), 0.0);
        assertEquals(s.extractor(), r.extractor());
        assertEquals(s.source(), r.source());
        assertEquals(0.0, FrechetDistance.between(s, r).fid(), 1e-12);
    }

    @Test
    void corruptFilesGiveClearErrors() throws IOException {
        Path good = dir.resolve("good.fidstats");
        FidStatsFile.write(sample(), good);
        byte[] bytes = Files.readAllBytes(good);

        Path flipped = dir.resolve("flipped.fidstats");
        byte[] f = bytes.clone();
        f[f.length - 20] ^= 0x10;
        Files.write(flipped, f);
        assertMessage(flipped, "checksum");

        Path truncated = dir.resolve("truncated.fidstats");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 9));
        assertMessage(truncated, "truncated");

        Path notStats = dir.resolve("image.png");
        Files.write(notStats, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        assertMessage(notStats, "not a FID statistics file");
        assertFalse(FidStatsFile.looksLikeStats(notStats));

        Path empty = dir.resolve("empty.fidstats");
        Files.write(empty, new byte[0]);
        assertMessage(empty, "too short");

        Path badVersion = dir.resolve("v9.fidstats");
        byte[] v = bytes.clone();
        v[8] = 9;
        Files.write(badVersion, v);
        assertMessage(badVersion, "version 9");
    }

    private static void assertMessage(Path file, String expected) {
        IOException ex = assertThrows(IOException.class, () -> FidStatsFile.read(file));
        assertTrue(ex.getMessage().contains(expected) && ex.getMessage().contains(file.getFileName().toString()),
                "message '" + ex.getMessage() + "' should name the file and say '" + expected + "'");
    }
}
