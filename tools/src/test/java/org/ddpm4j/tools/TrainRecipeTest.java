package org.ddpm4j.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.ddpm4j.trainer.checkpoint.Checkpoint;
import org.ddpm4j.trainer.config.Recipe;
import org.ddpm4j.trainer.config.TrainingConfig;
import org.ddpm4j.trainer.train.EvalHistory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ddpm train's defaults are the recipe (one source), and --eval-every scores a run without changing it. */
class TrainRecipeTest {

    @Test
    void defaultsAreTheRecipe(@TempDir Path dir) throws Exception {
        Path images = TrainCommandTest.imageFolder(dir);
        Path out = dir.resolve("run");
        StringBuilder err = new StringBuilder();
        assertEquals(0, TrainCommandTest.run(err, "train", "--data", images.toString(), "--preset", "tiny", "--steps", "5",
                "--sample-count", "0", "--threads", "1", "--out", out.toString()), err.toString());
        Checkpoint cp = Checkpoint.load(out);
        assertEquals(TrainingConfig.recipe(images.toString(), "tiny", 5), cp.config());
        assertEquals(Recipe.DROPOUT, cp.spec().dropout());
        // the cool-down covers the last fifth: the peak until step 4, the floor at step 5
        assertEquals(4, cp.config().lrSchedule().decayFrom());
        assertTrue(cp.clock().cpuSeconds() > 0 && cp.clock().wallSeconds() > 0 && cp.clock().threads() == 1,
                cp.clock().toString());
        // the library's recipe is the documented one
        TrainingConfig r = TrainingConfig.recipe("d", "fashion", 12000);
        assertEquals(4e-4, r.learningRate());
        assertEquals(200, r.warmupSteps());
        assertEquals(0.999, r.emaDecay());
        assertFalse(r.flip());
        assertTrue(r.objective().minSnr());
        assertEquals(9600, r.lrSchedule().decayFrom());
        assertEquals(4e-4 * 0.1, r.learningRateAt(11999), 1e-12);
    }

    @Test
    void labelledDataTrainsAConditionalModelByDefault(@TempDir Path dir) throws Exception {
        Path images = TrainCommandTest.imageFolder(dir);
        Files.copy(images.resolve("train/a/img0.png"), Files.createDirectories(images.resolve("train/b")).resolve("x.png"));
        Files.copy(images.resolve("train/a/img1.png"), images.resolve("train/b/y.png"));
        Path data = images.resolve("train");
        StringBuilder err = new StringBuilder();
        assertEquals(0, TrainCommandTest.run(err, "train", "--data", data.toString(), "--preset", "tiny", "--steps", "1",
                "--batch", "2", "--sample-count", "0", "--threads", "1", "--out", dir.resolve("cond").toString()),
                err.toString());
        assertEquals(2, Checkpoint.load(dir.resolve("cond")).spec().classCount(), err.toString());
        assertEquals(List.of("a", "b"), Checkpoint.load(dir.resolve("cond")).config().classNames());
        assertEquals(Recipe.LABEL_DROPOUT, Checkpoint.load(dir.resolve("cond")).config().labelDropout());
        assertTrue(err.toString().contains("--no-classes"), err.toString());
        StringBuilder err2 = new StringBuilder();
        assertEquals(0, TrainCommandTest.run(err2, "train", "--data", data.toString(), "--preset", "tiny", "--steps", "1",
                "--batch", "2", "--sample-count", "0", "--threads", "1", "--no-classes", "--out",
                dir.resolve("plain").toString()), err2.toString());
        assertEquals(0, Checkpoint.load(dir.resolve("plain")).spec().classCount());
    }

    @Test
    void evaluationWritesFidCsvResumesItAndLeavesTrainingUnchanged(@TempDir Path dir) throws Exception {
        Path images = TrainCommandTest.imageFolder(dir);
        Path extractor = ShippedFiles.find(FidCommand.DEFAULT_EXTRACTOR).orElseThrow();
        String[] common = {"train", "--data", images.toString(), "--preset", "tiny", "--batch", "2", "--dropout", "0.1",
                "--sample-count", "0", "--threads", "1", "--checkpoint-every", "2"};
        Path plain = dir.resolve("plain");
        StringBuilder e0 = new StringBuilder();
        assertEquals(0, TrainCommandTest.run(e0, concat(common, "--steps", "4", "--out", plain.toString())), e0.toString());

        Path scored = dir.resolve("scored");
        String[] eval = {"--eval-every", "2", "--eval-n", "6", "--eval-setting", "ddim-3", "--eval-reference",
                images.toString(), "--eval-extractor", extractor.toString()};
        StringBuilder e1 = new StringBuilder();
        assertEquals(0, TrainCommandTest.run(e1, concat(concat(common, eval), "--steps", "3", "--out", scored.toString())),
                e1.toString());
        List<EvalHistory.Row> rows = EvalHistory.load(scored, Long.MAX_VALUE).rows();
        assertEquals(List.of(2L, 3L), rows.stream().map(EvalHistory.Row::step).toList(), e1.toString());
        assertTrue(Files.isRegularFile(scored.resolve(EvalHistory.PNG)));
        assertTrue(e1.toString().contains("eval at step 2: FID "), e1.toString());
        for (EvalHistory.Row r : rows) {
            assertTrue(r.fid() >= 0 && Double.isFinite(r.fid()), r.toString());
            assertEquals(6, r.images());
            assertTrue(r.clock().cpuSeconds() > 0 && r.evalSeconds() > 0, r.toString());
        }
        assertTrue(rows.get(1).clock().cpuSeconds() >= rows.get(0).clock().cpuSeconds());

        // resumed: the file continues, the clock goes on from the checkpoint's
        StringBuilder e2 = new StringBuilder();
        assertEquals(0, TrainCommandTest.run(e2, concat(new String[] {"train", "--resume", "--out", scored.toString(),
                "--steps", "4", "--sample-count", "0", "--threads", "1"}, eval)), e2.toString());
        List<EvalHistory.Row> more = EvalHistory.load(scored, Long.MAX_VALUE).rows();
        assertEquals(List.of(2L, 3L, 4L), more.stream().map(EvalHistory.Row::step).toList(), e2.toString());
        assertTrue(more.get(2).clock().cpuSeconds() >= more.get(1).clock().cpuSeconds());

        // evaluation changed nothing that was trained
        Map<String, float[]> a = Checkpoint.load(plain).weights();
        Map<String, float[]> b = Checkpoint.load(scored).weights();
        Map<String, float[]> ea = Checkpoint.load(plain).emaWeights();
        Map<String, float[]> eb = Checkpoint.load(scored).emaWeights();
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k), b.get(k), k);
            assertArrayEquals(ea.get(k), eb.get(k), "ema " + k);
        }
        assertEquals(Files.readAllLines(plain.resolve("loss.csv")), Files.readAllLines(scored.resolve("loss.csv")));
    }

    @Test
    void badEvaluationOptionsAreRefusedBeforeTraining(@TempDir Path dir) throws Exception {
        Path images = TrainCommandTest.imageFolder(dir);
        StringBuilder err = new StringBuilder();
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, TrainCommandTest.run(err, "train", "--data", images.toString(), "--preset",
                "tiny", "--steps", "2", "--eval-every", "1", "--eval-setting", "bogus-x", "--out",
                dir.resolve("r").toString()));
        assertTrue(err.toString().contains("--eval-setting"), err.toString());
        assertFalse(Files.exists(dir.resolve("r/checkpoints")), "nothing trained");
        StringBuilder err2 = new StringBuilder();
        assertEquals(DdpmCommand.EXIT_BAD_INPUT, TrainCommandTest.run(err2, "train", "--data", images.toString(),
                "--preset", "tiny", "--steps", "2", "--eval-every", "1", "--eval-n", "1", "--out",
                dir.resolve("r").toString()));
        assertTrue(err2.toString().contains("--eval-n must be at least 2"), err2.toString());
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
