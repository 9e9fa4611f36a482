package org.ddpm4j.trainer.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import org.ddpm4j.trainer.classifier.ClassifierSpec;
import org.ddpm4j.trainer.classifier.ClassifierTrainer;
import org.ddpm4j.trainer.classifier.ClassifierTrainingConfig;
import org.ddpm4j.trainer.classifier.SyntheticLabeled;
import org.ddpm4j.trainer.config.LossType;
import org.ddpm4j.trainer.config.LrSchedule;
import org.ddpm4j.trainer.config.Objective;
import org.ddpm4j.trainer.config.TrainingConfig;
import org.ddpm4j.trainer.data.ImageDataset;
import org.ddpm4j.trainer.model.UnetSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 9's regression test: training while memory that Java frees is handed straight to a thread
 * that fills it with NaN. Any array of Java memory that autograd still reads after its
 * {@code NDArray} was closed (the root cause, see {@link org.ddpm4j.trainer.model.Scalars}) then turns
 * into NaN within a few steps instead of in one process in five.
 *
 * <p>The forked JVM runs with glibc's thread cache off and one malloc arena
 * ({@code GLIBC_TUNABLES=glibc.malloc.tcache_count=0}, {@code MALLOC_ARENA_MAX=1}), so a block the
 * garbage collector's cleaner frees goes to the shared free list that the spraying thread allocates
 * from. Before the fix, 30 of 30 tiny-preset runs of this kind stopped with "gradient norm NaN" at a
 * {@code qkv.bias} within 6 steps (3 processes of 10 runs each, 2 threads); after it, 0 of 30.
 */
class HostileAllocatorTest {

    /** A daemon thread that allocates small direct buffers full of NaN bytes and collects garbage every few ms. */
    static Thread startNanSprayer() {
        Thread t = new Thread(() -> {
            ArrayDeque<ByteBuffer> ring = new ArrayDeque<>();
            long lastGc = System.nanoTime();
            while (!Thread.currentThread().isInterrupted()) {
                for (int i = 0; i < 1000; i++) {
                    ByteBuffer b = ByteBuffer.allocateDirect(8);
                    b.putLong(0, -1L); // all bits set: NaN as a float and as a double
                    ring.add(b);
                    if (ring.size() > 64) {
                        ring.poll();
                    }
                }
                if (System.nanoTime() - lastGc > 2_000_000L) {
                    System.gc();
                    lastGc = System.nanoTime();
                }
            }
        }, "nan-sprayer");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * The forked JVM's main: {@code THREADS DROPOUT RUNS STEPS}. Tiny-preset runs (L2 on epsilon, and
     * Huber with min-SNR weighting, alternately), a class-conditional min-SNR run, then four classifier epochs whose loss must fall; exits non-zero on the first
     * divergence or non-finite classifier weight.
     */
    public static final class Run {
        public static void main(String[] args) {
            Threads.setIntraOpThreads(Integer.parseInt(args[0]));
            double dropout = Double.parseDouble(args[1]);
            int runs = Integer.parseInt(args[2]);
            int steps = Integer.parseInt(args[3]);
            startNanSprayer();
            ImageDataset data = TestData.rectangles(12, 16);
            UnetSpec spec = UnetSpec.preset("tiny").withDropout(dropout);
            for (int run = 0; run < runs; run++) {
                try (Trainer t = Trainer.create(spec, config(run), data)) {
                    for (int s = 0; s < steps; s++) {
                        t.trainStep();
                    }
                }
            }
            // a class-conditional model with min-SNR weighting: the one-hot and the weights are read in backward
            ImageDataset labelled = ConditionalTrainingTest.darkAndBright(16);
            TrainingConfig cond = config(1).withClasses(List.of("dark", "bright"), 0.2);
            try (Trainer t = Trainer.create(spec.withClassCount(2), cond, labelled)) {
                for (int s = 0; s < steps; s++) {
                    t.trainStep();
                }
            }
            ClassifierSpec small = new ClassifierSpec(1, 12, 4, 4);
            try (ClassifierTrainer c = new ClassifierTrainer(small, new ClassifierTrainingConfig(4, 32, 1e-2, 0),
                    SyntheticLabeled.quadrants(128, 12, 3))) {
                double first = c.runEpoch(0, null);
                c.runEpoch(1, null);
                c.runEpoch(2, null);
                double last = c.runEpoch(3, null);
                System.out.println("classifier loss: epoch 1 " + first + ", epoch 4 " + last);
                if (!(last < first)) {
                    throw new IllegalStateException("classifier loss did not fall: epoch 1 " + first + ", epoch 4 " + last);
                }
                for (Map.Entry<String, float[]> e : c.model().weights().entrySet()) {
                    for (float v : e.getValue()) {
                        if (!Float.isFinite(v)) {
                            throw new IllegalStateException("classifier weight " + e.getKey() + " is " + v);
                        }
                    }
                }
            }
            System.out.println("finished " + runs + " runs of " + steps + " steps and 4 classifier epochs");
        }

        static TrainingConfig config(int run) {
            TrainingConfig d = TrainerTest.tinyConfig(4).withSeed(run);
            if (run % 2 == 0) {
                return d;
            }
            return new TrainingConfig(d.data(), d.preset(), d.batch(), d.learningRate(), d.warmupSteps(), d.beta1(),
                    d.beta2(), d.adamEps(), d.gradClip(), LossType.HUBER, d.emaDecay(), d.schedule(), d.timesteps(),
                    d.betaStart(), d.betaEnd(), d.seed(), d.flip(), 0.0, List.of(),
                    new Objective("epsilon", "min-snr", Objective.DEFAULT_GAMMA), LrSchedule.CONSTANT);
        }
    }

    @ParameterizedTest(name = "threads {0}, dropout {1}")
    @CsvSource({"1, 0.1", "2, 0.0", "2, 0.1"})
    void shortRunsFinishWhileFreedMemoryTurnsToNaN(int threads, double dropout) throws Exception {
        String out = ForkedJvm.run(Run.class,
                Map.of("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0", "MALLOC_ARENA_MAX", "1"), 300,
                String.valueOf(threads), String.valueOf(dropout), "4", "6");
        assertTrue(out.contains("finished 4 runs of 6 steps"), out);
    }
}
