package org.ddpm4j.runtime.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.ddpm4j.runtime.model.MetadataKeys;
import org.ddpm4j.runtime.model.ModelContractException;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.noise.BatchNoise;
import org.ddpm4j.runtime.noise.GaussianNoise;
import org.ddpm4j.runtime.sampling.Denoiser;
import org.ddpm4j.runtime.sampling.Sampler;
import org.ddpm4j.runtime.sampling.SamplerOptions;
import org.ddpm4j.runtime.sampling.Samplers;
import org.ddpm4j.runtime.sampling.SamplingListener;
import org.ddpm4j.runtime.sampling.Prediction;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxDenoiserTest {

    static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(100, 1e-4, 0.2);
    static final ModelInfo INFO = ModelInfo.of(Prediction.EPSILON, SCHEDULE, 6, 6, 2, false);
    static final double MU = 0.25;
    static final double S = 0.5;
    static final OnnxOptions CPU = OnnxOptions.DEFAULTS.withThreads(1);

    /** The optimal epsilon, computed in Java. */
    static float[] expectedEpsilon(float[] x, long[] t) {
        float[] out = new float[x.length];
        int per = x.length / t.length;
        for (int b = 0; b < t.length; b++) {
            double ab = SCHEDULE.alphaBar((int) t[b]);
            for (int k = b * per; k < (b + 1) * per; k++) {
                out[k] = (float) (Math.sqrt(1 - ab) / (ab * S * S + 1 - ab) * (x[k] - Math.sqrt(ab) * MU));
            }
        }
        return out;
    }

    static float[] gaussian(long seed, int n) {
        float[] v = new float[n];
        new GaussianNoise(seed).fill(v);
        return v;
    }

    @Test
    void computesTheGraphAndReadsTheMetadata() throws IOException {
        try (OnnxDenoiser d = OnnxDenoiser.open(TestModels.gaussianEpsilon(INFO, MU, S), "gauss.onnx", CPU)) {
            assertEquals(Device.CPU, d.device());
            assertEquals(2, d.channels());
            assertEquals(6, d.height());
            assertEquals(Prediction.EPSILON, d.prediction());
            assertEquals(100, d.info().schedule().timesteps());
            assertEquals(0.2, d.info().schedule().betaEnd(), 0.0);
            assertEquals("eps", d.signature().outputName());
            long[] t = {0, 50, 99};
            float[] x = gaussian(1, 3 * 72);
            float[] out = new float[x.length];
            d.predict(x, t, out);
            assertArrayEquals(expectedEpsilon(x, t), out, 1e-5f);
            // reused buffers: a second call with other values gives the new answer
            float[] x2 = gaussian(2, 3 * 72);
            long[] t2 = {7, 7, 3};
            d.predict(x2, t2, out);
            assertArrayEquals(expectedEpsilon(x2, t2), out, 1e-5f);
            assertEquals(2, d.runCalls());
            d.close();
            d.close(); // harmless
            IllegalStateException closed = assertThrows(IllegalStateException.class, () -> d.predict(x, t, out));
            assertEquals("gauss.onnx: the model is closed", closed.getMessage());
        }
    }

    @Test
    void samplingThroughOnnxRuntimeFollowsTheJavaDenoiser() throws IOException {
        Denoiser java = new Denoiser() {
            @Override
            public int channels() {
                return 2;
            }

            @Override
            public int height() {
                return 6;
            }

            @Override
            public int width() {
                return 6;
            }

            @Override
            public void predict(float[] sample, long[] timesteps, float[] out) {
                System.arraycopy(expectedEpsilon(sample, timesteps), 0, out, 0, out.length);
            }
        };
        try (OnnxDenoiser onnx = OnnxDenoiser.open(TestModels.gaussianEpsilon(INFO, MU, S), "gauss.onnx", CPU)) {
            for (String name : Samplers.NAMES) {
                Sampler sampler = Samplers.create(name, SCHEDULE, name.equals("ddpm") ? 0 : 10,
                        SamplerOptions.DEFAULTS.withEta(1.0));
                float[] a = new float[3 * 72];
                BatchNoise na = new BatchNoise(1, 2, 3);
                na.fill(a);
                float[] b = a.clone();
                sampler.sample(onnx, a, na, SamplingListener.NONE);
                BatchNoise nb = new BatchNoise(1, 2, 3);
                nb.fill(new float[3 * 72]);
                sampler.sample(java, b, nb, SamplingListener.NONE);
                assertArrayEquals(b, a, 1e-4f, name);
            }
            assertEquals(100 + 10 + 10 + 10, onnx.runCalls());
            assertTrue(onnx.runNanos() > 0);
        }
    }

    @Test
    void acceptsInt32FloatAndScalarTimestepsAndAFixedBatch() throws IOException {
        long[] t = {12, 12};
        float[] x = gaussian(3, 2 * 72);
        float[] want = expectedEpsilon(x, t);
        Object[][] variants = {
                {TestModels.INT32, false, -1L}, {TestModels.FLOAT, false, -1L}, {TestModels.INT64, true, -1L},
                {TestModels.INT64, false, 1L}};
        for (Object[] v : variants) {
            byte[] bytes = TestModels.gaussianEpsilon(SCHEDULE, MU, S, 2, 6, (int) v[0], (boolean) v[1], (long) v[2],
                    "sample", TestModels.metadata(INFO));
            try (OnnxDenoiser d = OnnxDenoiser.open(bytes, "variant.onnx", CPU)) {
                float[] out = new float[x.length];
                d.predict(x, t, out);
                assertArrayEquals(want, out, 1e-5f, "variant " + java.util.Arrays.toString(v));
            }
        }
        byte[] scalar = TestModels.gaussianEpsilon(SCHEDULE, MU, S, 2, 6, TestModels.INT64, true, -1, "sample",
                TestModels.metadata(INFO));
        try (OnnxDenoiser d = OnnxDenoiser.open(scalar, "scalar.onnx", CPU)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> d.predict(x, new long[] {1, 2}, new float[x.length]));
            assertTrue(e.getMessage().contains("one scalar timestep"), e.getMessage());
        }
    }

    @Test
    void opensFromPathStreamAndBytesWithTheSameHash(@TempDir Path dir) throws IOException {
        byte[] bytes = TestModels.gaussianEpsilon(INFO, MU, S);
        Path file = TestModels.write(bytes, dir.resolve("m.onnx"));
        String a;
        String b;
        String c;
        try (OnnxDenoiser d = OnnxDenoiser.open(file, CPU)) {
            a = d.sha256();
            assertEquals("m.onnx", d.source());
        }
        try (OnnxDenoiser d = OnnxDenoiser.open(new ByteArrayInputStream(bytes), "m.onnx", CPU)) {
            b = d.sha256();
        }
        try (OnnxDenoiser d = OnnxDenoiser.open(bytes, "m.onnx", CPU)) {
            c = d.sha256();
        }
        assertEquals(64, a.length());
        assertEquals(a, b);
        assertEquals(a, c);
    }

    @Test
    void concurrentCallsGiveTheSequentialAnswers() throws Exception {
        try (OnnxDenoiser d = OnnxDenoiser.open(TestModels.gaussianEpsilon(INFO, MU, S), "gauss.onnx", CPU)) {
            int jobs = 16;
            List<float[]> inputs = new ArrayList<>();
            List<long[]> times = new ArrayList<>();
            List<float[]> sequential = new ArrayList<>();
            for (int j = 0; j < jobs; j++) {
                int batch = 1 + j % 3;
                inputs.add(gaussian(100 + j, batch * 72));
                long[] t = new long[batch];
                java.util.Arrays.fill(t, j * 6L);
                times.add(t);
                float[] out = new float[batch * 72];
                d.predict(inputs.get(j), t, out);
                sequential.add(out);
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<float[]>> futures = new ArrayList<>();
                for (int round = 0; round < 5; round++) {
                    for (int j = 0; j < jobs; j++) {
                        int jj = j;
                        futures.add(pool.submit(() -> {
                            float[] out = new float[inputs.get(jj).length];
                            d.predict(inputs.get(jj), times.get(jj), out);
                            return out;
                        }));
                    }
                }
                for (int i = 0; i < futures.size(); i++) {
                    assertArrayEquals(sequential.get(i % jobs), futures.get(i).get(), "job " + i);
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void missingMetadataKeyNamesTheKeyAndTheAdoptCommand() {
        Map<String, String> md = TestModels.metadata(INFO);
        md.remove(MetadataKeys.SCHEDULE);
        byte[] bytes = TestModels.gaussianEpsilon(SCHEDULE, MU, S, 2, 6, TestModels.INT64, false, -1, "sample", md);
        ModelContractException e = assertThrows(ModelContractException.class,
                () -> OnnxDenoiser.open(bytes, "bare.onnx", CPU));
        assertTrue(e.getMessage().startsWith("bare.onnx: metadata key 'ddpm.schedule' is missing"), e.getMessage());
        assertTrue(e.getMessage().contains("ddpm adopt"), e.getMessage());
    }

    @Test
    void wrongInputNameAndShapeNameExpectedAndFound() {
        byte[] renamed = TestModels.gaussianEpsilon(SCHEDULE, MU, S, 2, 6, TestModels.INT64, false, -1, "x",
                TestModels.metadata(INFO));
        ModelContractException e = assertThrows(ModelContractException.class,
                () -> OnnxDenoiser.open(renamed, "renamed.onnx", CPU));
        assertTrue(e.getMessage().contains("no input 'sample' (float32 [B, 2, 6, 6])"), e.getMessage());
        assertTrue(e.getMessage().contains("found inputs: x float32 [-1, 2, 6, 6], timestep int64 [-1]"),
                e.getMessage());

        ModelInfo threeChannels = ModelInfo.of(Prediction.EPSILON, SCHEDULE, 6, 6, 3, false);
        byte[] mismatch = TestModels.gaussianEpsilon(SCHEDULE, MU, S, 2, 6, TestModels.INT64, false, -1, "sample",
                TestModels.metadata(threeChannels));
        ModelContractException m = assertThrows(ModelContractException.class,
                () -> OnnxDenoiser.open(mismatch, "mismatch.onnx", CPU));
        assertTrue(m.getMessage().contains("input 'sample' must be float32 [B, 3, 6, 6]")
                && m.getMessage().contains("found sample float32 [-1, 2, 6, 6]"), m.getMessage());
    }

    @Test
    void corruptAndMissingFilesGiveClearErrors(@TempDir Path dir) throws IOException {
        Path corrupt = Files.write(dir.resolve("corrupt.onnx"), "this is not a protobuf".getBytes());
        IOException e = assertThrows(IOException.class, () -> OnnxDenoiser.open(corrupt, CPU));
        assertTrue(e.getMessage().startsWith("corrupt.onnx: not a loadable ONNX model"), e.getMessage());
        byte[] good = TestModels.gaussianEpsilon(INFO, MU, S);
        Path truncated = Files.write(dir.resolve("truncated.onnx"), java.util.Arrays.copyOf(good, good.length / 2));
        IOException t = assertThrows(IOException.class, () -> OnnxDenoiser.open(truncated, CPU));
        assertTrue(t.getMessage().startsWith("truncated.onnx: not a loadable ONNX model"), t.getMessage());
        assertThrows(NoSuchFileException.class, () -> OnnxDenoiser.open(dir.resolve("absent.onnx"), CPU));
    }

    @Test
    void autoFallsBackToTheCpuWithOneWarningAndCudaExplainsTheFix() throws IOException {
        List<String> warnings = new ArrayList<>();
        OnnxOptions auto = CPU.withDevice(Device.AUTO).withWarnings(warnings::add);
        byte[] bytes = TestModels.gaussianEpsilon(INFO, MU, S);
        boolean hasCuda = ai.onnxruntime.OrtEnvironment.getAvailableProviders()
                .contains(ai.onnxruntime.OrtProvider.CUDA);
        try (OnnxDenoiser d = OnnxDenoiser.open(bytes, "m.onnx", auto)) {
            if (!hasCuda) {
                assertEquals(Device.CPU, d.device());
                assertEquals(1, warnings.size());
                assertTrue(warnings.get(0).contains("running on the CPU"), warnings.get(0));
            }
        }
        if (!hasCuda) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> OnnxDenoiser.open(bytes, "m.onnx", CPU.withDevice(Device.cuda(1))));
            assertTrue(e.getMessage().startsWith("cannot use device cuda:1: this ONNX Runtime build has no CUDA"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("-Pcuda") && e.getMessage().contains("--device cpu"), e.getMessage());
        }
    }

    @Test
    void devicesAndOptionsParse() {
        assertEquals(Device.cuda(2), Device.parse("CUDA:2"));
        assertEquals(Device.cuda(0), Device.parse("cuda"));
        assertEquals(Device.AUTO, Device.parse("auto"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse("tpu"));
        assertEquals("Unknown device 'tpu', expected cpu, cuda, cuda:ID or auto", e.getMessage());
        assertEquals(GraphOptimization.EXTENDED, GraphOptimization.parse("extended"));
        assertThrows(IllegalArgumentException.class, () -> CPU.withThreads(-1));
    }

    @Test
    void aCallersSessionCustomizerRunsAndItsRefusalIsOneIoError() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        OnnxOptions custom = CPU.withCustomizer(so -> {
            calls.incrementAndGet();
            so.addConfigEntry("session.intra_op.allow_spinning", "0");
        });
        try (OnnxDenoiser onnx = OnnxDenoiser.open(TestModels.gaussianEpsilon(INFO, MU, S), "gauss.onnx", custom)) {
            assertEquals(1, calls.get());
            float[] x = new float[72];
            onnx.predict(x, new long[] {5}, new float[72]);
        }
        OnnxOptions refusing = CPU.withCustomizer(so -> {
            throw new ai.onnxruntime.OrtException("no such provider");
        });
        java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> OnnxDenoiser.open(TestModels.gaussianEpsilon(INFO, MU, S), "gauss.onnx", refusing));
        assertTrue(e.getMessage().contains("no such provider"), e.getMessage());
    }

    @Test
    void closingWhileCallsRunWaitsForThemAndRefusesLaterOnes() throws Exception {
        OnnxDenoiser onnx = OnnxDenoiser.open(TestModels.gaussianEpsilon(INFO, MU, S), "gauss.onnx", CPU);
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Throwable> other = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(2);
        Thread[] workers = new Thread[2];
        for (int w = 0; w < workers.length; w++) {
            workers[w] = new Thread(() -> {
                float[] x = new float[8 * 72];
                float[] out = new float[x.length];
                long[] t = new long[8];
                started.countDown();
                try {
                    while (true) {
                        onnx.predict(x, t, out);
                        done.incrementAndGet();
                    }
                } catch (IllegalStateException closed) {
                    if (!closed.getMessage().contains("the model is closed")) {
                        other.set(closed);
                    }
                } catch (Throwable t2) {
                    other.set(t2);
                }
            });
            workers[w].start();
        }
        started.await();
        while (done.get() < 4) {
            Thread.sleep(1);
        }
        onnx.close();
        for (Thread w : workers) {
            w.join(10_000);
            assertTrue(!w.isAlive(), "a worker still runs after close");
        }
        assertEquals(null, other.get(), "calls racing close may only end with 'the model is closed'");
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> onnx.predict(new float[72], new long[] {1}, new float[72]));
        assertTrue(e.getMessage().contains("the model is closed"), e.getMessage());
    }
}
