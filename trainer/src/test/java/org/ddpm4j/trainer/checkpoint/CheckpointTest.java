package org.ddpm4j.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.runtime.noise.GaussianNoise;
import org.ddpm4j.trainer.config.TrainingConfig;
import org.ddpm4j.trainer.model.UnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    static final UnetSpec SPEC = UnetSpec.preset("tiny");

    static Map<String, float[]> randomWeights(long seed) {
        GaussianNoise g = new GaussianNoise(seed);
        Map<String, float[]> w = new LinkedHashMap<>();
        for (UnetSpec.Param p : SPEC.parameters()) {
            float[] v = new float[(int) p.size()];
            g.fill(v);
            w.put(p.name(), v);
        }
        return w;
    }

    static Path save(Path run, long step, int keep) throws IOException {
        return new CheckpointStore(run, keep).save(step, SPEC, TrainingConfig.plain("fashion-mnist", "tiny"),
                randomWeights(step), randomWeights(step + 100), new OptimizerState(step, randomWeights(1), randomWeights(2)),
                "abc123");
    }

    /**
     * Equal contents give equal bytes: the metadata is written in key order, whatever the order of the
     * caller's map (two JVMs once wrote the same checkpoint with "format" and "step" swapped, because
     * {@code Map.of} iterates in a per-JVM random order).
     */
    @Test
    void safetensorsBytesDoNotDependOnTheMetadataMapOrder(@TempDir Path dir) throws IOException {
        Map<String, SafeTensors.Tensor> t = Map.of("w", new SafeTensors.Tensor(new long[] {2}, new float[] {1, 2}));
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("format", "x");
        ab.put("step", "7");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("step", "7");
        ba.put("format", "x");
        SafeTensors.write(dir.resolve("ab.safetensors"), t, ab);
        SafeTensors.write(dir.resolve("ba.safetensors"), t, ba);
        assertArrayEquals(Files.readAllBytes(dir.resolve("ab.safetensors")), Files.readAllBytes(dir.resolve("ba.safetensors")));
    }

    @Test
    void safetensorsFollowTheFormat(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t.safetensors");
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
        t.put("a.weight", new SafeTensors.Tensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, -6.5f}));
        t.put("b", new SafeTensors.Tensor(new long[] {1}, new float[] {7}));
        SafeTensors.write(f, t, Map.of("step", "3"));
        byte[] bytes = Files.readAllBytes(f);
        long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8);
        String header = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
        assertTrue(header.contains("\"a.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}"), header);
        assertEquals(8 + headerLen + 28, bytes.length);
        assertEquals(-6.5f, ByteBuffer.wrap(bytes, (int) (8 + headerLen + 20), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat());
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(List.of("a.weight", "b"), List.copyOf(c.tensors().keySet()));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, -6.5f}, c.tensors().get("a.weight").data());
        assertEquals("3", c.metadata().get("step"));
    }

    @Test
    void checkpointsRoundTripAndAreFoundFromRunFolderOrLast(@TempDir Path run) throws IOException {
        save(run, 10, 2);
        save(run, 20, 2);
        Path third = save(run, 30, 2);
        assertEquals(List.of("step-00000020", "step-00000030"),
                CheckpointStore.listCheckpoints(run.resolve("checkpoints")).stream().map(p -> p.getFileName().toString()).toList());
        assertEquals(third.toRealPath(), run.resolve("last").toRealPath());
        for (Path p : List.of(run, run.resolve("last"), third)) {
            Checkpoint c = Checkpoint.load(p);
            assertEquals(30, c.step());
            assertEquals(SPEC, c.spec());
            assertEquals(TrainingConfig.plain("fashion-mnist", "tiny"), c.config());
            assertEquals("abc123", c.gitCommit());
            assertArrayEquals(randomWeights(30).get("mid.attn.qkv.weight"), c.weights().get("mid.attn.qkv.weight"));
            assertArrayEquals(randomWeights(130).get("out.conv.bias"), c.emaWeights().get("out.conv.bias"));
            assertArrayEquals(randomWeights(2).get("in.conv.weight"), c.optimizerState().secondMoment().get("in.conv.weight"));
            assertEquals(30, c.optimizerState().step());
        }
        assertEquals(SPEC.parameters().stream().map(UnetSpec.Param::name).toList(),
                List.copyOf(Checkpoint.load(run).weights().keySet()));
    }

    @Test
    void resavingAStepReplacesItWithoutLeavingCopies(@TempDir Path run) throws IOException {
        save(run, 10, 3);
        Path again = new CheckpointStore(run, 3).save(10, SPEC, TrainingConfig.plain("fashion-mnist", "tiny"),
                randomWeights(77), randomWeights(78), new OptimizerState(10, randomWeights(1), randomWeights(2)), null);
        assertArrayEquals(randomWeights(77).get("in.conv.weight"), Checkpoint.load(again).weights().get("in.conv.weight"));
        try (var s = Files.list(run.resolve("checkpoints"))) {
            assertEquals(List.of("step-00000010"), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    /** What a process killed in the middle of {@code save} can leave behind, and what a new start makes of it. */
    @Test
    void recoverClearsWhatAKilledSaveLeftBehind(@TempDir Path run) throws IOException {
        save(run, 10, 3);
        Path twenty = save(run, 20, 3);
        Path checkpoints = run.resolve("checkpoints");
        // killed while writing step 30: a partial temporary folder
        Path partial = Files.createDirectory(checkpoints.resolve(".step-00000030-123456"));
        Files.write(partial.resolve("weights.safetensors"), new byte[] {1, 2, 3});
        // killed while re-saving step 20, between setting the old copy aside and renaming the new one in
        Path aside = checkpoints.resolve(".step-00000020.replaced-999");
        Files.move(twenty, aside);
        // and a stale temporary link, and temporary files of interrupted loss.png / grid writes
        Files.writeString(run.resolve(".last-42"), "x");
        Files.writeString(run.resolve(".loss.png.1234567.tmp"), "");
        Files.createDirectories(run.resolve("samples"));
        Files.writeString(run.resolve("samples/.step-00000020.png.99.tmp"), "");
        Files.writeString(run.resolve("samples/step-00000020.png"), "a grid");
        List<String> done = new CheckpointStore(run, 3).recover();
        assertEquals(5, done.size(), String.join("\n", done));
        assertTrue(Files.notExists(run.resolve(".loss.png.1234567.tmp")));
        assertTrue(Files.notExists(run.resolve("samples/.step-00000020.png.99.tmp")));
        assertTrue(Files.exists(run.resolve("samples/step-00000020.png")));
        try (var s = Files.list(checkpoints)) {
            assertEquals(List.of("step-00000010", "step-00000020"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertTrue(Files.notExists(run.resolve(".last-42")));
        assertEquals(20, Checkpoint.load(run).step());
        assertArrayEquals(randomWeights(20).get("out.conv.weight"), Checkpoint.load(run).weights().get("out.conv.weight"));
        assertEquals(List.of(), new CheckpointStore(run, 3).recover(), "a clean folder needs nothing");
    }

    @Test
    void recoverRepointsALastLinkWhoseCheckpointIsGone(@TempDir Path run) throws IOException {
        save(run, 10, 3);
        Path twenty = save(run, 20, 3);
        CheckpointStore.deleteTree(twenty);
        List<String> done = new CheckpointStore(run, 3).recover();
        assertEquals(1, done.size(), String.join("\n", done));
        assertEquals(10, Checkpoint.load(run.resolve("last")).step());
    }

    @Test
    void truncatedOrCorruptFilesAreRefusedByName(@TempDir Path run) throws IOException {
        Path dir = save(run, 5, 3);
        Path weights = dir.resolve(Checkpoint.WEIGHTS);
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, Arrays.copyOf(bytes, bytes.length - 100));
        IOException e1 = assertThrows(IOException.class, () -> Checkpoint.load(dir));
        assertTrue(e1.getMessage().contains(weights.toString()) && e1.getMessage().contains("truncated"), e1.getMessage());

        Files.write(weights, new byte[] {1, 2, 3});
        IOException e2 = assertThrows(IOException.class, () -> Checkpoint.load(dir));
        assertTrue(e2.getMessage().contains(weights.toString()), e2.getMessage());

        byte[] garbled = bytes.clone();
        garbled[8] = '!'; // the header's opening brace
        Files.write(weights, garbled);
        IOException e3 = assertThrows(IOException.class, () -> Checkpoint.load(dir));
        assertTrue(e3.getMessage().contains("JSON header"), e3.getMessage());

        Files.write(weights, bytes);
        Files.writeString(dir.resolve(Checkpoint.DESCRIPTION), "{\"format\": \"ddpm4j-checkpoint/1\", \"step\": 5");
        IOException e4 = assertThrows(IOException.class, () -> Checkpoint.load(dir));
        assertTrue(e4.getMessage().contains(Checkpoint.DESCRIPTION), e4.getMessage());
        assertEquals(1, e4.getMessage().lines().count(), e4.getMessage());

        IOException e5 = assertThrows(IOException.class, () -> Checkpoint.load(run.resolve("missing")));
        assertTrue(e5.getMessage().contains("does not exist"), e5.getMessage());
        Path emptyRun = Files.createDirectories(run.resolve("empty-run"));
        IOException e6 = assertThrows(IOException.class, () -> Checkpoint.load(emptyRun));
        assertTrue(e6.getMessage().contains("no checkpoint at " + emptyRun), e6.getMessage());
    }

    @Test
    void aFileThatIsNotACheckpointIsRefusedByName(@TempDir Path run) throws IOException {
        Path dir = save(run, 7, 3);
        Path weights = dir.resolve(Checkpoint.WEIGHTS);
        Path onnx = Files.write(run.resolve("model.onnx"), new byte[] {8, 7, (byte) 0xC3, (byte) 0x28, 0, 1});
        for (Path notACheckpoint : List.of(weights, onnx)) {
            IOException e = assertThrows(IOException.class, () -> Checkpoint.load(notACheckpoint));
            assertTrue(e.getMessage().contains("no checkpoint at " + notACheckpoint)
                    && e.getMessage().contains(Checkpoint.DESCRIPTION), e.getMessage());
        }
        // a pointer file still works
        Files.writeString(run.resolve("pointer"), "checkpoints/step-00000007\n");
        assertEquals(7, Checkpoint.load(run.resolve("pointer")).step());
    }

    @Test
    void weightsOfAnotherModelAreRefused(@TempDir Path run) throws IOException {
        Path dir = save(run, 5, 3);
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>(SafeTensors.read(dir.resolve(Checkpoint.EMA)).tensors());
        t.remove("out.conv.bias");
        t.put("in.conv.weight", new SafeTensors.Tensor(new long[] {16, 9}, t.get("in.conv.weight").data()));
        SafeTensors.write(dir.resolve(Checkpoint.EMA), t, Map.of());
        IOException e = assertThrows(IOException.class, () -> Checkpoint.load(dir));
        assertTrue(e.getMessage().contains("ema.safetensors") && e.getMessage().contains("out.conv.bias")
                && e.getMessage().contains("in.conv.weight"), e.getMessage());
    }
}
