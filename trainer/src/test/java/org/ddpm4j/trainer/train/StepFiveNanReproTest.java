package org.ddpm4j.trainer.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An open defect, kept runnable (tagged slow, so CI skips it; run with
 * {@code mvn -B verify -pl trainer -am -DexcludedTestGroups=none -Dtest=StepFiveNanReproTest
 * -Dsurefire.failIfNoSpecifiedTests=false}): the tiny preset with dropout 0.1, batch 4, lr 2e-3, on
 * 12 rectangles, in a fresh JVM through {@link TrainingRun}, stops at step 5 with "gradient norm
 * NaN, in 34 of 128 gradient tensors, nearest the output: down.1.attn.0.qkv.bias" in about one
 * process in five (3 of 16, 3 of 12 on two threads, 1 of 12 on one), always step 5, always with
 * the same finite loss 1.0843601: the forward pass is identical, the backward through the first
 * attention block reads something that differs from process to process. At batch 8 it also stops
 * at step 5 (loss 1.0114253; 3 of 3 forked from surefire, 1 of 3 from a shell). Not the convolution bug
 * that {@link org.ddpm4j.trainer.model.UnetOps#convolution} works around (1x1 and 3x3 convolutions
 * of the block's shapes give exact zero input gradients for zero weights on a NaN-poisoned
 * allocator); MALLOC_PERTURB_ does not change the rate; the rate moves with the process's
 * allocation history (a plain step loop in the same JVM never showed it in 32 processes). This test
 * passes when 12 fresh processes all finish.
 */
@Tag("slow")
class StepFiveNanReproTest {

    @Test
    void twelveFreshProcessesFinishTenSteps(@TempDir Path dir) throws Exception {
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            try {
                ForkedResumeTest.fork(dir.resolve("r" + i).toString(), "10", "2", "4");
            } catch (AssertionError e) {
                failed.add("process " + i + ": " + e.getMessage().lines()
                        .filter(l -> l.contains("diverged")).findFirst().orElse(e.getMessage()));
            }
        }
        assertTrue(failed.isEmpty(), failed.size() + " of 12 processes diverged: " + failed);
    }
}
