package org.ddpm4j.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.pytorch.jni.JniUtils;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.ddpm4j.trainer.model.NoGrad;
import org.ddpm4j.trainer.model.UnetSpec;
import org.junit.jupiter.api.Test;

/** The optimizer and EMA updates record nothing for autograd, whatever thread's grad mode drives them. */
class GradModeTest {

    @Test
    void updatesFromAThreadWithGradModeOnTrainTheSameWeights() throws Exception {
        Map<String, float[]> expected;
        try (Trainer t = Trainer.create(UnetSpec.preset("tiny"), TrainerTest.tinyConfig(4), TestData.rectangles(8, 16))) {
            t.trainStep();
            t.trainStep();
            expected = t.model().weights();
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Map<String, float[]>> got = new AtomicReference<>();
        boolean[] modeAfter = new boolean[1];
        Thread worker = new Thread(() -> {
            try {
                JniUtils.setGradMode(true); // a thread DJL did not set up: libtorch's default is on
                try (Trainer t = Trainer.create(UnetSpec.preset("tiny"), TrainerTest.tinyConfig(4),
                        TestData.rectangles(8, 16))) {
                    t.trainStep();
                    t.trainStep();
                    got.set(t.model().weights());
                }
                modeAfter[0] = NoGrad.recording();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "grad-mode-on");
        worker.start();
        worker.join();
        if (failure.get() != null) {
            // recorded in-place updates of the parameters end in libtorch's "leaf Variable ... in-place" error
            throw new AssertionError("training from a thread with grad mode on failed: " + failure.get(), failure.get());
        }
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k), got.get().get(k), k);
        }
        assertTrue(modeAfter[0], "the thread's own grad mode is restored");
    }

    @Test
    void noGradRestoresThePreviousMode() {
        boolean before = NoGrad.recording();
        try (NoGrad off = NoGrad.enter()) {
            assertFalse(NoGrad.recording());
        }
        assertEquals(before, NoGrad.recording());
    }
}
