package org.ddpm4j.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Image file names sort by index at any set size, and sets of up to 10,000 keep their 4-digit names. */
class SampleFileNamesTest {

    @Test
    void setsOfUpToTenThousandKeepFourDigits() {
        assertEquals("sample-0000-seed0.png", SampleFiles.imageFileName("sample-", 0, 0, 1));
        assertEquals("sample-9999-seed12.png", SampleFiles.imageFileName("sample-", 9_999, 12, 10_000));
        assertEquals("sample-0042-seed7.png", SampleFiles.imageFileName("sample-", 42, 7));
    }

    @Test
    void largerSetsArePaddedToTheLastIndexSoTextOrderIsIndexOrder() {
        for (long total : new long[] {10_001, 123_456, 1_000_000, 1_000_001}) {
            List<String> names = new ArrayList<>();
            for (long index : new long[] {0, 9, 10, 999, 9_999, 10_000, total - 1}) {
                names.add(SampleFiles.imageFileName("sample-", index, 5, total));
            }
            List<String> sorted = new ArrayList<>(names);
            sorted.sort(null);
            assertEquals(names, sorted, "names of a set of " + total);
        }
        assertEquals("sample-00000-seed3.png", SampleFiles.imageFileName("sample-", 0, 3, 10_001));
        assertEquals("sample-1000000-seed3.png", SampleFiles.imageFileName("sample-", 1_000_000, 3, 1_000_001));
    }

    @Test
    void theWidthIsThatOfTheLastIndex() {
        assertEquals(4, SampleFiles.indexWidth(1));
        assertEquals(4, SampleFiles.indexWidth(10_000));
        assertEquals(5, SampleFiles.indexWidth(10_001));
        assertEquals(6, SampleFiles.indexWidth(1_000_000));
        assertEquals(7, SampleFiles.indexWidth(1_000_001));
    }

    @Test
    void aBatchBeyondItsSetIsRefused() {
        GenerationResult two = new GenerationResult(new float[2 * 4], 1, 2, 2, new long[] {0, 1}, "test", 1,
                new int[0], List.of(), java.time.Duration.ZERO);
        assertThrows(IllegalArgumentException.class,
                () -> SampleFiles.writeImages(two, 9, 10, java.nio.file.Path.of("unused"), "s-", null, java.util.Map.of()));
    }
}
