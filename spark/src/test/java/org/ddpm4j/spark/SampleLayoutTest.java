package org.ddpm4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.ddpm4j.runtime.pipeline.SampleFiles;
import org.junit.jupiter.api.Test;

/** Image names and folders at any n, and the FID job's tree depth. */
class SampleLayoutTest {

    @Test
    void runsOfUpTo10000ImagesKeepDdpmSamplesNamesInOneFolder() {
        for (long count : new long[] {1, 9, 10_000}) {
            SampleLayout l = new SampleLayout(count);
            assertEquals(4, l.width());
            assertFalse(l.sharded());
            assertEquals(SampleFiles.imageFileName("sample-", count - 1, 7), l.relativePath("sample-", count - 1, 7));
        }
    }

    @Test
    void largerRunsArePaddedToTheLastIndexAndShardedBy10000() {
        SampleLayout l = new SampleLayout(1_000_000);
        assertEquals(6, l.width());
        assertEquals("000000/sample-000000-seed0.png", l.relativePath("sample-", 0, 0));
        assertEquals("010000/sample-012345-seed12345.png", l.relativePath("sample-", 12_345, 12_345));
        assertEquals("990000/sample-999999-seed5.png", l.relativePath("sample-", 999_999, 5));
        assertEquals("10000/sample-10000-seed1.png", new SampleLayout(10_001).relativePath("sample-", 10_000, 1));
    }

    @Test
    void pathsSortByIndexAtAnyCount() {
        Random rnd = new Random(1);
        for (long count : new long[] {10_001, 123_457, 1_000_000, 20_000_001}) {
            SampleLayout l = new SampleLayout(count);
            List<Long> indices = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                indices.add((long) (rnd.nextDouble() * count));
            }
            indices.add(count - 1);
            indices.add(9_999L);
            indices.add(10_000L);
            List<String> byPath = new ArrayList<>(indices.stream()
                    .map(k -> l.relativePath("sample-", k, rnd.nextInt(1_000_000))).toList());
            byPath.sort(null);
            List<Long> sortedIndices = new ArrayList<>(indices);
            sortedIndices.sort(null);
            List<Long> fromPaths = byPath.stream()
                    .map(p -> Long.parseLong(p.substring(p.lastIndexOf("sample-") + 7, p.indexOf("-seed")))).toList();
            assertEquals(sortedIndices, fromPaths, "count " + count);
        }
    }

    @Test
    void treeDepthKeepsWhatTheDriverReceivesWithinItsBudget() {
        assertEquals(1, FidJob.treeDepth(16, 200), "small accumulators: one level");
        for (int dim : new int[] {64, 512, 2048}) {
            for (int partitions : new int[] {1, 2, 10, 100, 1000}) {
                int depth = FidJob.treeDepth(dim, partitions);
                long bytes = 8L * dim * dim + 8L * dim + 64;
                long fanIn = Math.max(2, FidJob.DRIVER_MERGE_BUDGET / bytes);
                assertTrue(Math.ceil(Math.pow(partitions, 1.0 / depth)) <= fanIn, dim + " x " + partitions);
                if (depth > 1) {
                    assertTrue(Math.ceil(Math.pow(partitions, 1.0 / (depth - 1))) > fanIn, "the smallest such depth");
                }
            }
        }
        assertEquals(5, FidJob.treeDepth(2048, 100), "Inception's 32 MiB accumulators: 3 at a time");
    }
}
