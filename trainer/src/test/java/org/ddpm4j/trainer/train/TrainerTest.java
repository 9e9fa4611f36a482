package org.ddpm4j.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.ddpm4j.trainer.checkpoint.Checkpoint;
import org.ddpm4j.trainer.config.TrainingConfig;
import org.ddpm4j.trainer.data.ImageDataset;
import org.ddpm4j.trainer.model.UnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

    static TrainingConfig tinyConfig(int batch) {
        TrainingConfig d = TrainingConfig.defaults("synthetic", "tiny");
        return new TrainingConfig(d.data(), d.preset(), batch, 2e-3, 20, d.beta1(), d.beta2(), d.adamEps(),
                d.gradClip(), d.loss(), 0.99, d.schedule(), d.timesteps(), d.betaStart(), d.betaEnd(), 42L, true);
    }

    @Test
    void tinyModelOverfitsSixteenImages() {
        ImageDataset data = TestData.rectangles(16, 16);
        try (Trainer t = Trainer.create(UnetSpec.preset("tiny"), tinyConfig(16), data)) {
            double first = 0;
            for (int i = 0; i < 20; i++) {
                first += t.trainStep();
            }
            first /= 20;
            for (int i = 20; i < 280; i++) {
                t.trainStep();
            }
            double late = 0;
            for (int i = 0; i < 20; i++) {
                late += t.trainStep();
            }
            late /= 20;
            assertTrue(late < first / 2, "loss should fall by more than half: first 20 steps " + first
                    + ", last 20 steps " + late);
        }
    }

    @Test
    void resumingContinuesExactly(@TempDir Path dir) throws Exception {
        ImageDataset data = TestData.rectangles(12, 16);
        UnetSpec spec = UnetSpec.preset("tiny").withDropout(0.1);
        TrainingConfig config = tinyConfig(4);
        TrainingRun.Options straight = new TrainingRun.Options(dir.resolve("straight"), 10, 100, 0, 3, 0, 1, 0);
        try (Trainer t = Trainer.create(spec, config, data)) {
            TrainingRun.run(t, straight, TrainingListener.NONE);
        }
        Path split = dir.resolve("split");
        try (Trainer t = Trainer.create(spec, config, data)) {
            TrainingRun.run(t, new TrainingRun.Options(split, 6, 100, 0, 3, 0, 1, 0), TrainingListener.NONE);
        }
        Checkpoint mid = Checkpoint.load(split);
        assertEquals(6, mid.step());
        try (Trainer t = Trainer.resume(mid, mid.config(), data)) {
            TrainingRun.run(t, new TrainingRun.Options(split, 10, 100, 0, 3, 0, 1, 0), TrainingListener.NONE);
        }
        Checkpoint a = Checkpoint.load(dir.resolve("straight"));
        Checkpoint b = Checkpoint.load(split);
        assertEquals(10, a.step());
        assertEquals(10, b.step());
        assertSame(a.weights(), b.weights());
        assertSame(a.emaWeights(), b.emaWeights());
        assertSame(a.optimizerState().secondMoment(), b.optimizerState().secondMoment());
        assertEquals(Files.readAllLines(dir.resolve("straight/loss.csv")), Files.readAllLines(split.resolve("loss.csv")));
    }

    private static void assertSame(Map<String, float[]> x, Map<String, float[]> y) {
        assertEquals(x.keySet(), y.keySet());
        for (String k : x.keySet()) {
            assertArrayEquals(x.get(k), y.get(k), 1e-6f, k);
        }
    }
}
