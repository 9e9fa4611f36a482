package org.ddpm4j.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.runtime.noise.GaussianNoise;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UnetModelTest {

    @ParameterizedTest
    @CsvSource({"tiny,176849,128", "fashion,1623169,244", "ddpm-cifar,35746307,304", "tinyimagenet64,17217923,306"})
    void parameterTableIsPinned(String preset, long count, int tensors) {
        UnetSpec spec = UnetSpec.preset(preset);
        assertEquals(count, spec.parameterCount());
        assertEquals(tensors, spec.parameters().size());
    }

    /**
     * The forward FLOPs of {@link UnetSpec#forwardFlops()} against an independent count: forward
     * hooks on the torch.nn modules of the same network in tools/scripts/python-baseline (2 x the
     * multiply-adds of every Conv2d and Linear, plus the two attention products), run once with
     * PyTorch 1.13 and pinned here.
     */
    @ParameterizedTest
    @CsvSource({"tiny,34164736", "fashion,725499904"})
    void forwardFlopsAgreeWithTheTorchModuleCount(String preset, long flops) {
        assertEquals(flops, UnetSpec.preset(preset).forwardFlops());
    }

    /**
     * The whole table ("name [shape]" per line, spec order) of each preset, pinned by its SHA-256:
     * any change to a name, shape or order of any preset changes the digest (and breaks exported
     * models and checkpoints, so it must be deliberate).
     */
    @ParameterizedTest
    @CsvSource({
        "tiny,314c38de9cff4d85e02369a0396779916f55489071f91701b01b0f78ecd8acdc",
        "fashion,f8f7fb9b26f8c12ce3f0c1e8a2dd038e2b75c9bad5d2242748bba79a29176564",
        "ddpm-cifar,1efae3d4ad1e91ce2df670e0ada407da8f69006319bc32e83be15dcce2920881",
        "tinyimagenet64,f8c134294c4910777d6ec89e07aa13bc126c95631e46c396c0d0d3c0d3c641fc"})
    void wholeParameterTableIsPinned(String preset, String sha256) throws Exception {
        StringBuilder table = new StringBuilder();
        for (UnetSpec.Param p : UnetSpec.preset(preset).parameters()) {
            table.append(p).append('\n');
        }
        byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                .digest(table.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(sha256, java.util.HexFormat.of().formatHex(d), table.toString());
    }

    /**
     * The downsampling padding changes how the network computes, never its parameters; the default
     * (1) is left out of the JSON, so older checkpoints and shipped files read and write unchanged.
     */
    @Test
    void downsamplePaddingKeepsTheParametersAndOldJson() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        UnetSpec fashion = UnetSpec.preset("fashion");
        UnetSpec google = fashion.withDownsamplePadding(UnetSpec.PAD_BOTTOM_RIGHT).withNormEps(1e-6);
        assertEquals(fashion.parameters(), google.parameters());
        String old = json.writeValueAsString(fashion);
        assertTrue(!old.contains("downsamplePadding"), old);
        assertEquals("{\"imageSize\":32,\"inChannels\":1,\"outChannels\":1,\"baseChannels\":32,\"channelMults\":[1,2,2],"
                + "\"blocksPerLevel\":2,\"attentionResolutions\":[8],\"groups\":8,\"dropout\":0.1,\"normEps\":1.0E-5}", old);
        assertEquals(UnetSpec.PAD_SYMMETRIC, json.readValue(old, UnetSpec.class).downsamplePadding());
        assertEquals(fashion, json.readValue(old, UnetSpec.class));
        String written = json.writeValueAsString(google.withClassCount(10));
        assertTrue(written.contains("\"downsamplePadding\":0"), written);
        assertEquals(google.withClassCount(10), json.readValue(written, UnetSpec.class));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fashion.withDownsamplePadding(2));
        assertEquals("Invalid UNet spec: downsamplePadding must be 1 (every side) or 0 (bottom and right), found 2",
                e.getMessage());
    }

    @Test
    void tinyParameterNamesAndShapesArePinned() {
        List<String> table = new ArrayList<>();
        for (UnetSpec.Param p : UnetSpec.preset("tiny").parameters()) {
            table.add(p.toString());
        }
        assertEquals(List.of(
                "time.fc1.weight [64, 16]", "time.fc1.bias [64]", "time.fc2.weight [64, 64]", "time.fc2.bias [64]",
                "in.conv.weight [16, 1, 3, 3]", "in.conv.bias [16]"), table.subList(0, 6));
        assertTrue(table.contains("down.1.res.0.skip.weight [32, 16, 1, 1]"), table.toString());
        assertTrue(table.contains("down.1.attn.0.qkv.weight [96, 32, 1, 1]"), table.toString());
        assertTrue(table.contains("up.0.res.0.conv1.weight [16, 48, 3, 3]"), table.toString());
        assertEquals("out.conv.weight [1, 16, 3, 3]", table.get(table.size() - 2));
    }

    /**
     * A conditional spec adds exactly one tensor, {@code class.embed.weight} [K+1, 4 base], right after
     * the time MLP; every other name and shape is the unconditional one's.
     */
    @ParameterizedTest
    @CsvSource({"tiny,2,176849,128", "fashion,10,1623169,244"})
    void conditionalSpecAddsOnlyTheClassTable(String preset, int k, long count, int tensors) {
        UnetSpec plain = UnetSpec.preset(preset);
        UnetSpec cond = plain.withClassCount(k);
        List<UnetSpec.Param> p = new ArrayList<>(cond.parameters());
        assertEquals(tensors + 1, p.size());
        long rows = k + 1;
        assertEquals(count + rows * plain.timeEmbedChannels(), cond.parameterCount());
        assertEquals(new UnetSpec.Param(UnetSpec.CLASS_EMBEDDING, new long[] {rows, plain.timeEmbedChannels()}),
                p.get(4));
        p.remove(4);
        assertEquals(plain.parameters(), p);
        try (UnetModel model = UnetModel.create(cond, 3)) {
            List<UnetSpec.Param> fromModel = new ArrayList<>();
            for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                fromModel.add(new UnetSpec.Param(e.getKey(), e.getValue().getShape().getShape()));
            }
            assertEquals(cond.parameters(), fromModel);
            for (float v : model.weights().get(UnetSpec.CLASS_EMBEDDING)) {
                assertEquals(0f, v, "the class embedding starts at zero");
            }
        }
    }

    /** With the class table at zero, every label computes exactly what the unconditional model computes. */
    @Test
    void zeroClassTableComputesTheUnconditionalModelAndTrainedRowsChangeIt() {
        UnetSpec plain = UnetSpec.preset("tiny");
        UnetSpec cond = plain.withClassCount(3);
        try (UnetModel a = UnetModel.create(plain, 7)) {
            Map<String, float[]> w = a.weights();
            GaussianNoise g = new GaussianNoise(11);
            for (float[] v : w.values()) {
                for (int i = 0; i < v.length; i++) {
                    v[i] += (float) (0.05 * g.nextGaussian());
                }
            }
            a.loadWeights(w);
            Map<String, float[]> cw = new java.util.LinkedHashMap<>();
            for (UnetSpec.Param p : cond.parameters()) {
                cw.put(p.name(), p.name().equals(UnetSpec.CLASS_EMBEDDING) ? new float[(int) p.size()] : w.get(p.name()));
            }
            float[] x = new float[4 * 16 * 16];
            new GaussianNoise(5).fill(x);
            long[] ts = {0, 300, 600, 999};
            float[] plainOut = new float[x.length];
            a.denoiser().predict(x, ts, plainOut);
            try (UnetModel b = UnetModel.fromWeights(cond, cw)) {
                float[] out = new float[x.length];
                b.denoiser().predict(x, ts, new long[] {0, 1, 2, 3}, out);
                assertArrayEquals(plainOut, out, 0f);
                float[] table = cw.get(UnetSpec.CLASS_EMBEDDING);
                for (int i = 0; i < table.length; i++) {
                    table[i] = (float) (0.5 * g.nextGaussian());
                }
                b.loadWeights(cw);
                float[] changed = new float[x.length];
                b.denoiser().predict(x, ts, new long[] {0, 1, 2, 3}, changed);
                float[] other = new float[x.length];
                b.denoiser().predict(x, ts, new long[] {1, 2, 3, 0}, other);
                assertTrue(maxDiff(changed, other) > 1e-3, "labels must change the output");
            }
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> a.denoiser().predict(x, ts, new long[] {0, 0, 0, 0}, new float[x.length]));
            assertEquals("the UNet is unconditional: it takes no class labels", e.getMessage());
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    @ParameterizedTest
    @CsvSource({"tiny", "fashion"})
    void modelParametersEqualTheSpecList(String preset) {
        UnetSpec spec = UnetSpec.preset(preset);
        try (UnetModel model = UnetModel.create(spec, 1)) {
            List<UnetSpec.Param> fromModel = new ArrayList<>();
            for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                fromModel.add(new UnetSpec.Param(e.getKey(), e.getValue().getShape().getShape()));
            }
            assertEquals(spec.parameters(), fromModel);
            assertEquals(spec.parameterCount(), model.parameterCount());
        }
    }

    @Test
    void groupNormMatchesANaiveReference() {
        int n = 2;
        int c = 6;
        int h = 3;
        int w = 4;
        int groups = 3;
        double eps = 1e-5;
        float[] x = new float[n * c * h * w];
        new GaussianNoise(3).fill(x);
        for (int i = 0; i < x.length; i++) {
            x[i] = x[i] * 2f + 0.5f;
        }
        float[] gamma = {1f, 2f, -1f, 0.5f, 0f, 3f};
        float[] beta = {0f, 1f, 2f, -1f, 0.25f, 0f};
        float[] expected = naiveGroupNorm(x, n, c, h * w, groups, eps, gamma, beta);
        try (NDManager m = NDManager.newBaseManager(); UnetOps.NormConstants ones = new UnetOps.NormConstants(m)) {
            NDArray out = UnetOps.groupNorm(m.create(x, new Shape(n, c, h, w)), m.create(gamma), m.create(beta),
                    groups, eps, ones);
            assertArrayEquals(expected, out.toFloatArray(), 1e-5f);
        }
    }

    static float[] naiveGroupNorm(float[] x, int n, int c, int hw, int groups, double eps, float[] gamma, float[] beta) {
        float[] y = new float[x.length];
        int per = c / groups;
        for (int b = 0; b < n; b++) {
            for (int g = 0; g < groups; g++) {
                double sum = 0;
                double sq = 0;
                int count = per * hw;
                for (int ch = g * per; ch < (g + 1) * per; ch++) {
                    for (int k = 0; k < hw; k++) {
                        double v = x[(b * c + ch) * hw + k];
                        sum += v;
                    }
                }
                double mean = sum / count;
                for (int ch = g * per; ch < (g + 1) * per; ch++) {
                    for (int k = 0; k < hw; k++) {
                        double d = x[(b * c + ch) * hw + k] - mean;
                        sq += d * d;
                    }
                }
                double inv = 1.0 / Math.sqrt(sq / count + eps);
                for (int ch = g * per; ch < (g + 1) * per; ch++) {
                    for (int k = 0; k < hw; k++) {
                        int i = (b * c + ch) * hw + k;
                        y[i] = (float) ((x[i] - mean) * inv * gamma[ch] + beta[ch]);
                    }
                }
            }
        }
        return y;
    }

    @Test
    void upsamplingIsNearestNeighbour() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
            assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4},
                    UnetOps.upsampleNearest2x(x).toFloatArray());
        }
    }

    @Test
    void sinusoidalEmbeddingFollowsTheSpec() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] e = UnetOps.sinusoidal(m.create(new float[] {0f, 7f}), 8).toFloatArray();
            // half = 4, f_k = 10000^(-k/3)
            for (int k = 0; k < 4; k++) {
                double f = Math.exp(-Math.log(10000.0) * k / 3);
                assertEquals(0.0, e[k], 1e-6);
                assertEquals(1.0, e[4 + k], 1e-6);
                assertEquals(Math.sin(7 * f), e[8 + k], 1e-5);
                assertEquals(Math.cos(7 * f), e[12 + k], 1e-5);
            }
        }
    }

    @Test
    void forwardKeepsShapeAndWeightsRoundTrip() {
        UnetSpec spec = UnetSpec.preset("tiny");
        try (UnetModel model = UnetModel.create(spec, 7); NDManager m = NDManager.newBaseManager()) {
            Map<String, float[]> w = model.weights();
            // give the zero-initialised output layers values so the output depends on the input
            GaussianNoise g = new GaussianNoise(11);
            for (float[] v : w.values()) {
                for (int i = 0; i < v.length; i++) {
                    v[i] += (float) (0.05 * g.nextGaussian());
                }
            }
            model.loadWeights(w);
            float[] x = new float[2 * 16 * 16];
            new GaussianNoise(5).fill(x);
            NDArray first = model.forward(m.create(x, new Shape(2, 1, 16, 16)), m.create(new float[] {0f, 999f}));
            int before = model.manager().getManagedArrays().size();
            NDArray y = model.forward(m.create(x, new Shape(2, 1, 16, 16)), m.create(new float[] {0f, 999f}));
            assertEquals(new Shape(2, 1, 16, 16), y.getShape());
            assertArrayEquals(first.toFloatArray(), y.toFloatArray(), 0f);
            assertEquals(before, model.manager().getManagedArrays().size(), "forward must not leak into the model");
            float[] out = new float[x.length];
            model.denoiser().predict(x, new long[] {0, 999}, out);
            assertArrayEquals(y.toFloatArray(), out, 1e-6f);
            try (UnetModel copy = UnetModel.fromWeights(spec, model.weights())) {
                float[] out2 = new float[x.length];
                copy.denoiser().predict(x, new long[] {0, 999}, out2);
                assertArrayEquals(out, out2, 0f);
            }
        }
    }

    @Test
    void loadWeightsListsEveryProblem() {
        UnetSpec spec = UnetSpec.preset("tiny");
        try (UnetModel model = UnetModel.create(spec, 1)) {
            Map<String, float[]> w = new LinkedHashMap<>(model.weights());
            w.remove("in.conv.bias");
            w.remove("mid.attn.proj.weight");
            w.put("time.fc1.weight", new float[3]);
            w.put("extra.thing", new float[1]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.loadWeights(w));
            String msg = e.getMessage();
            assertTrue(msg.contains("in.conv.bias") && msg.contains("mid.attn.proj.weight")
                    && msg.contains("misshaped time.fc1.weight") && msg.contains("extra.thing"), msg);
        }
    }
}
