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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TrainerTest {

    static TrainingConfig tinyConfig(int batch) {
        TrainingConfig d = TrainingConfig.plain("synthetic", "tiny");
        return new TrainingConfig(d.data(), d.preset(), batch, 2e-3, 20, d.beta1(), d.beta2(), d.adamEps(),
                d.gradClip(), d.loss(), 0.99, d.schedule(), d.timesteps(), d.betaStart(), d.betaEnd(), 42L, true);
    }

    @Test
    void tinyModelOverfitsSixteenImages() {
        Threads.setIntraOpThreads(1);
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

    /**
     * Many short runs, with one and two PyTorch threads, dropout on and off, each started on a native
     * allocator full of NaN: every step must end with a finite loss and gradient norm. Before the
     * output conv's channel padding ({@code UnetOps.convolution}), runs like these diverged at random
     * (1 to 18 of 40 three-step runs per process on the development machine).
     */
    @ParameterizedTest(name = "threads {0}, dropout {1}")
    @CsvSource({"1, 0.0", "1, 0.1", "2, 0.0", "2, 0.1"})
    void shortRunsAlwaysFinishWithFiniteGradients(int threads, double dropout) {
        Threads.setIntraOpThreads(threads);
        ImageDataset data = TestData.rectangles(16, 16);
        UnetSpec spec = UnetSpec.preset("tiny").withDropout(dropout);
        for (int run = 0; run < 8; run++) {
            TrainingConfig c = tinyConfig(8).withSeed(run);
            try (ai.djl.ndarray.NDManager poison = ai.djl.ndarray.NDManager.newBaseManager()) {
                for (long k = 1; k <= 64; k *= 2) {
                    poison.full(new ai.djl.ndarray.types.Shape(k * 4096), Float.NaN);
                }
            }
            try (Trainer t = Trainer.create(spec, c, data)) {
                for (int step = 1; step <= 4; step++) {
                    float loss = t.trainStep();
                    assertTrue(Float.isFinite(loss) && Double.isFinite(t.lastGradNorm()), "run " + run + " step " + step
                            + ": loss " + loss + ", gradient norm " + t.lastGradNorm());
                }
            }
        }
    }

    /**
     * N + M steps in one go equal N steps, a checkpoint and M more, in one JVM: bit for bit with one
     * PyTorch thread. Two threads are not deterministic from run to run (see {@link ForkedResumeTest},
     * which resumes in fresh JVMs, as a user does, within rounding).
     */
    @ParameterizedTest(name = "threads {0}")
    @ValueSource(ints = {1, 2})
    void resumingContinuesExactly(int threads, @TempDir Path dir) throws Exception {
        Threads.setIntraOpThreads(threads);
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
        assertSame(a.weights(), b.weights(), 0f);
        assertSame(a.emaWeights(), b.emaWeights(), 0f);
        assertSame(a.optimizerState().secondMoment(), b.optimizerState().secondMoment(), 0f);
        assertEquals(Files.readAllLines(dir.resolve("straight/loss.csv")), Files.readAllLines(split.resolve("loss.csv")));
    }

    /**
     * A stop request (what {@code ddpm train} makes of SIGTERM and Ctrl-C) ends the loop after the
     * step in progress with a checkpoint of that step, off the checkpoint schedule, and the loss
     * history up to it; resuming from there gives the uninterrupted run, bit for bit.
     */
    @Test
    void aStopRequestSavesTheStepDoneAndResumesExactly(@TempDir Path dir) throws Exception {
        Threads.setIntraOpThreads(1);
        ImageDataset data = TestData.rectangles(12, 16);
        UnetSpec spec = UnetSpec.preset("tiny");
        TrainingConfig config = tinyConfig(4);
        try (Trainer t = Trainer.create(spec, config, data)) {
            TrainingRun.run(t, new TrainingRun.Options(dir.resolve("straight"), 8, 100, 0, 3, 0, 1, 0),
                    TrainingListener.NONE);
        }
        Path stopped = dir.resolve("stopped");
        java.util.List<String> messages = new java.util.ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onMessage(String message) {
                messages.add(message);
            }
        };
        try (Trainer t = Trainer.create(spec, config, data)) {
            Path saved = TrainingRun.run(t, new TrainingRun.Options(stopped, 8, 100, 0, 3, 0, 1, 0), listener,
                    () -> t.step() >= 3);
            assertEquals(3, t.step());
            assertEquals(3, Checkpoint.load(saved).step());
        }
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("stopped at step 3 of 8")), messages.toString());
        assertEquals(1 + 3, Files.readAllLines(stopped.resolve("loss.csv")).size());
        Checkpoint mid = Checkpoint.load(stopped);
        try (Trainer t = Trainer.resume(mid, mid.config(), data)) {
            TrainingRun.run(t, new TrainingRun.Options(stopped, 8, 100, 0, 3, 0, 1, 0), TrainingListener.NONE);
        }
        Checkpoint a = Checkpoint.load(dir.resolve("straight"));
        Checkpoint b = Checkpoint.load(stopped);
        assertEquals(8, b.step());
        assertSame(a.weights(), b.weights(), 0f);
        assertSame(a.emaWeights(), b.emaWeights(), 0f);
        assertEquals(Files.readAllLines(dir.resolve("straight/loss.csv")), Files.readAllLines(stopped.resolve("loss.csv")));
    }

    @Test
    void stepsDoNotLeakArraysIntoTheModel() {
        Threads.setIntraOpThreads(1);
        try (Trainer t = Trainer.create(UnetSpec.preset("tiny"), tinyConfig(2), TestData.rectangles(4, 16))) {
            t.trainStep();
            t.trainStep();
            int model = t.model().manager().getManagedArrays().size();
            int ema = t.emaModel().manager().getManagedArrays().size();
            for (int i = 0; i < 3; i++) {
                t.trainStep();
            }
            assertEquals(model, t.model().manager().getManagedArrays().size());
            assertEquals(ema, t.emaModel().manager().getManagedArrays().size());
        }
    }

    @Test
    void nonFiniteLossStopsNamingTheStepAndKeepsTheLastGoodCheckpoint(@TempDir Path dir) throws Exception {
        Threads.setIntraOpThreads(1);
        ImageDataset data = TestData.rectangles(8, 16);
        try (Trainer t = Trainer.create(UnetSpec.preset("tiny"), tinyConfig(2), data)) {
            TrainingRun.run(t, new TrainingRun.Options(dir, 2, 1, 0, 3, 0, 1, 0), TrainingListener.NONE);
            Map<String, float[]> w = t.model().weights();
            w.get("in.conv.weight")[0] = Float.NaN;
            t.setWeights(w);
            TrainingDivergedException e = org.junit.jupiter.api.Assertions.assertThrows(TrainingDivergedException.class,
                    () -> TrainingRun.run(t, new TrainingRun.Options(dir, 4, 1, 0, 3, 0, 1, 0), TrainingListener.NONE));
            assertEquals(3, e.step());
            assertTrue(e.getMessage().contains("step 3") && e.getMessage().contains("step-00000002"), e.getMessage());
        }
        assertEquals(2, Checkpoint.load(dir).step());
        assertEquals(3, Files.readAllLines(dir.resolve("loss.csv")).size()); // header + 2 steps
    }

    private static void assertSame(Map<String, float[]> x, Map<String, float[]> y, float tolerance) {
        assertEquals(x.keySet(), y.keySet());
        for (String k : x.keySet()) {
            if (tolerance == 0f) {
                assertArrayEquals(x.get(k), y.get(k), k); // exact: Float.equals per element
            } else {
                assertArrayEquals(x.get(k), y.get(k), tolerance, k);
            }
        }
    }
}
