package org.ddpm4j.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.ddpm4j.runtime.onnx.Device;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code --parallel-batches}: the threads and batches at once that a run gets. */
class ParallelBatchesOptionTest {

    @Command
    static final class Cmd {
        @Mixin
        ParallelBatchesOption parallel;
    }

    static ParallelBatchesOption parse(String... args) {
        Cmd c = new Cmd();
        new CommandLine(c).parseArgs(args);
        return c.parallel;
    }

    @Test
    void byDefaultOneBatchPerThreadOnTheCpuForTwoOrMoreImages() {
        ParallelBatchesOption auto = parse();
        assertEquals(new ParallelBatchesOption.Plan(1, 4), auto.plan(4, Device.CPU, 64));
        assertEquals(new ParallelBatchesOption.Plan(1, 3), auto.plan(4, Device.CPU, 3), "no more batches than images");
        assertEquals(new ParallelBatchesOption.Plan(4, 1), auto.plan(4, Device.CPU, 1), "one image: all threads on it");
        assertEquals(new ParallelBatchesOption.Plan(1, 1), auto.plan(1, Device.CPU, 64));
        assertEquals(new ParallelBatchesOption.Plan(0, 1), auto.plan(0, Device.cuda(0), 64), "a GPU: one batch at a time");
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(cores >= 2 ? new ParallelBatchesOption.Plan(1, cores) : new ParallelBatchesOption.Plan(0, 1),
                auto.plan(0, Device.CPU, 64), "--threads 0: one per core");
    }

    @Test
    void givenValuesShareTheThreads() {
        assertEquals(new ParallelBatchesOption.Plan(4, 1), parse("--parallel-batches", "1").plan(4, Device.CPU, 64));
        assertEquals(new ParallelBatchesOption.Plan(2, 2), parse("--parallel-batches", "2").plan(4, Device.CPU, 64));
        assertEquals(new ParallelBatchesOption.Plan(1, 3), parse("--parallel-batches", "3").plan(0, Device.CPU, 64));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("--parallel-batches", "-1").plan(2, Device.CPU, 8));
        assertEquals("--parallel-batches must be 0 (chosen from --threads) or more, found -1", e.getMessage());
    }
}
