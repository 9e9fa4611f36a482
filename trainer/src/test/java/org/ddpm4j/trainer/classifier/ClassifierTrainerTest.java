package org.ddpm4j.trainer.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClassifierTrainerTest {

    private static final ClassifierSpec SMALL = new ClassifierSpec(1, 12, 4, 4);

    @Test
    void trainingOnSeparableDataBeatsChanceByFar() {
        LabeledImages train = SyntheticLabeled.quadrants(640, 12, 1);
        LabeledImages test = SyntheticLabeled.quadrants(200, 12, 2);
        ClassifierTrainingConfig config = new ClassifierTrainingConfig(10, 32, 1e-2, 0);
        try (ClassifierTrainer t = new ClassifierTrainer(SMALL, config, train)) {
            double before = ClassifierTrainer.accuracy(t.model(), test, 64);
            AtomicLong steps = new AtomicLong();
            double firstLoss = 0;
            double lastLoss = 0;
            for (int e = 0; e < config.epochs(); e++) {
                double loss = t.runEpoch(e, (s, total, l) -> steps.set(s));
                if (e == 0) {
                    firstLoss = loss;
                }
                lastLoss = loss;
            }
            assertEquals(200, steps.get());
            assertEquals(200, t.totalSteps());
            double after = ClassifierTrainer.accuracy(t.model(), test, 64);
            assertTrue(lastLoss < firstLoss * 0.5, "loss fell from " + firstLoss + " to " + lastLoss);
            assertTrue(after >= 0.85, "test accuracy after 200 steps " + after + " (chance 0.25, before " + before + ")");
        }
    }

    @Test
    void sameSeedGivesTheSameWeights() {
        LabeledImages train = SyntheticLabeled.quadrants(128, 12, 3);
        ClassifierTrainingConfig config = new ClassifierTrainingConfig(1, 32, 1e-2, 5);
        float[] a;
        float[] b;
        try (ClassifierTrainer t = new ClassifierTrainer(SMALL, config, train)) {
            t.runEpoch(0, null);
            a = t.model().weights().get("conv3.weight");
        }
        try (ClassifierTrainer t = new ClassifierTrainer(SMALL, config, train)) {
            t.runEpoch(0, null);
            b = t.model().weights().get("conv3.weight");
        }
        assertArrayEquals(a, b);
    }

    @Test
    void refusesDataThatDoesNotFit() {
        LabeledImages wrongSize = SyntheticLabeled.quadrants(64, 8, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ClassifierTrainer(SMALL, ClassifierTrainingConfig.defaults(), wrongSize));
        assertTrue(e.getMessage().contains("8x8"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ClassifierTrainingConfig(0, 32, 1e-3, 0));
    }

    @Test
    void cosineScheduleStartsAtThePeakAndEndsAtZero() {
        ClassifierTrainingConfig c = new ClassifierTrainingConfig(1, 8, 1e-3, 0);
        assertEquals(1e-3, c.learningRateAt(0, 100), 1e-12);
        assertEquals(5e-4, c.learningRateAt(50, 100), 1e-12);
        assertEquals(0, c.learningRateAt(100, 100), 1e-12);
    }
}
