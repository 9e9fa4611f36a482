package org.ddpm4j.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.ddpm4j.trainer.checkpoint.Checkpoint;
import org.ddpm4j.trainer.data.ImageDataset;
import org.ddpm4j.trainer.model.UnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tagged slow, so CI skips it while the defect of {@link StepFiveNanReproTest} stands: in fresh JVMs
 * this configuration stops with a NaN gradient at step 5 in some processes (3 of 3 under surefire
 * once, about 1 in 3 to 1 in 5 from a shell). Run it with {@code mvn -B verify -pl trainer -am
 * -DexcludedTestGroups=none -Dtest=ForkedResumeTest -Dsurefire.failIfNoSpecifiedTests=false}.
 *
 * <p>Resume on two PyTorch threads, the way a user resumes: every run in a fresh JVM (the uninterrupted
 * run, the first part, the resumed rest). Not bit for bit: two-thread libtorch training is not
 * deterministic from run to run here. Measured: the same 10 steps of this test differ by 3e-7 to
 * 7e-7 on the first time-MLP weight in 2 of 3 forked comparisons (gradients of step 1 were
 * identical in 5 of 5), and by up to 1.3e-4 in one JVM under load; MKL_CBWR=AUTO,STRICT and
 * MKL_DYNAMIC=FALSE do not remove it; 20 CLI runs of the tiny preset on Fashion-MNIST at batch 16
 * were identical. So two threads are held to 1e-4, far below what a resume that loses state moves
 * (Adam moves each weight by about the learning rate, 2e-3 here, per step), and
 * {@link TrainerTest} pins resume bit for bit at one thread.
 */
@org.junit.jupiter.api.Tag("slow")
class ForkedResumeTest {

    /**
     * The forked JVM's main: {@code DIR STEPS THREADS BATCH [resume]}; trains the tiny preset with
     * dropout on 12 rectangles.
     */
    public static final class Run {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            long steps = Long.parseLong(args[1]);
            Threads.setIntraOpThreads(Integer.parseInt(args[2]));
            int batch = Integer.parseInt(args[3]);
            boolean resume = args.length > 4 && args[4].equals("resume");
            ImageDataset data = TestData.rectangles(12, 16);
            UnetSpec spec = UnetSpec.preset("tiny").withDropout(0.1);
            TrainingRun.Options options = new TrainingRun.Options(dir, steps, 100, 0, 3, 0, 1, 0);
            if (resume) {
                Checkpoint c = Checkpoint.load(dir);
                try (Trainer t = Trainer.resume(c, c.config(), data)) {
                    TrainingRun.run(t, options, TrainingListener.NONE);
                }
            } else {
                try (Trainer t = Trainer.create(spec, TrainerTest.tinyConfig(batch), data)) {
                    TrainingRun.run(t, options, TrainingListener.NONE);
                }
            }
            System.out.println("trained to step " + steps);
        }
    }

    static String fork(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", Run.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "forked training did not finish: " + out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void twoThreadsResumeAcrossProcessesWithinRounding(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight");
        Path split = dir.resolve("split");
        fork(straight.toString(), "10", "2", "8");
        fork(split.toString(), "6", "2", "8");
        fork(split.toString(), "10", "2", "8", "resume");
        Checkpoint a = Checkpoint.load(straight);
        Checkpoint b = Checkpoint.load(split);
        assertEquals(10, a.step());
        assertEquals(10, b.step());
        assertClose(a.weights(), b.weights(), 1e-4f);
        assertClose(a.emaWeights(), b.emaWeights(), 1e-4f);
        assertClose(a.optimizerState().firstMoment(), b.optimizerState().firstMoment(), 1e-4f);
        assertClose(a.optimizerState().secondMoment(), b.optimizerState().secondMoment(), 1e-4f);
        List<String> x = Files.readAllLines(straight.resolve("loss.csv"));
        List<String> y = Files.readAllLines(split.resolve("loss.csv"));
        assertEquals(x.size(), y.size());
        for (int i = 1; i < x.size(); i++) {
            String[] p = x.get(i).split(",");
            String[] q = y.get(i).split(",");
            assertEquals(p[0], q[0], "step column");
            assertEquals(Double.parseDouble(p[1]), Double.parseDouble(q[1]), 1e-3, "loss of step " + p[0]);
        }
    }

    private static void assertClose(Map<String, float[]> x, Map<String, float[]> y, float tolerance) {
        assertEquals(x.keySet(), y.keySet());
        for (String k : x.keySet()) {
            assertArrayEquals(x.get(k), y.get(k), tolerance, k);
        }
    }
}
