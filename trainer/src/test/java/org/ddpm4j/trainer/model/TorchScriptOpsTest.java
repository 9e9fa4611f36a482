package org.ddpm4j.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.ddpm4j.runtime.noise.GaussianNoise;
import org.junit.jupiter.api.Test;

/**
 * libtorch's fused GroupNorm and SiLU (called through TorchScript) against the same equations
 * written with DJL's own operations, the way the trainer computed them before: values and the
 * gradients that autograd delivers to the input, the weight and the bias.
 */
class TorchScriptOpsTest {

    private static final int N = 3;
    private static final int C = 8;
    private static final int H = 5;
    private static final int W = 4;
    private static final int GROUPS = 4;
    private static final double EPS = 1e-5;

    /** GroupNorm as reshape, layer norm without affine, reshape, multiply and add (DJL operations only). */
    private static NDArray djlGroupNorm(NDArray x, NDArray weight, NDArray bias) {
        Shape s = x.getShape();
        long per = s.size() / (s.get(0) * GROUPS);
        NDArray g = x.reshape(s.get(0), GROUPS, per);
        NDManager m = x.getManager();
        NDArray normed = g.getNDArrayInternal()
                .layerNorm(g, new Shape(per), m.ones(new Shape(per)), m.zeros(new Shape(per)), (float) EPS)
                .singletonOrThrow().reshape(s);
        Shape perChannel = new Shape(1, s.get(1), 1, 1);
        return normed.mul(weight.reshape(perChannel)).add(bias.reshape(perChannel));
    }

    private static NDArray djlSilu(NDArray x) {
        return x.mul(x.getNDArrayInternal().sigmoid());
    }

    private static float[] values(long seed, int count, float scale, float offset) {
        float[] v = new float[count];
        new GaussianNoise(seed).fill(v);
        for (int i = 0; i < v.length; i++) {
            v[i] = v[i] * scale + offset;
        }
        return v;
    }

    /** Output, then the gradients of sum(output * up) with respect to x, weight and bias. */
    private static float[][] run(boolean fused, boolean silu) {
        return run(fused, silu, false);
    }

    private static float[][] run(boolean fused, boolean silu, boolean channelsLast) {
        try (NDManager m = NDManager.newBaseManager(); UnetOps.NormConstants constants = new UnetOps.NormConstants(m)) {
            NDArray x = m.create(values(1, N * C * H * W, 2f, 0.5f), new Shape(N, C, H, W));
            NDArray weight = m.create(values(2, C, 1f, 1f));
            NDArray bias = m.create(values(3, C, 1f, 0f));
            NDArray up = m.create(values(4, N * C * H * W, 1f, 0f), new Shape(N, C, H, W));
            x.setRequiresGradient(true);
            weight.setRequiresGradient(true);
            bias.setRequiresGradient(true);
            NDArray y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                if (fused) {
                    NDArray in = channelsLast ? UnetOps.channelsLast(x) : x;
                    y = silu ? UnetOps.groupNormSilu(in, weight, bias, GROUPS, EPS, constants)
                            : UnetOps.groupNorm(in, weight, bias, GROUPS, EPS, constants);
                } else {
                    NDArray g = djlGroupNorm(x, weight, bias);
                    y = silu ? djlSilu(g) : g;
                }
                gc.backward(y.mul(up).sum());
            }
            return new float[][] {y.toFloatArray(), x.getGradient().toFloatArray(),
                    weight.getGradient().toFloatArray(), bias.getGradient().toFloatArray()};
        }
    }

    private static void assertSame(float[][] expected, float[][] actual) {
        String[] what = {"output", "input gradient", "weight gradient", "bias gradient"};
        for (int k = 0; k < expected.length; k++) {
            assertArrayEquals(expected[k], actual[k], 2e-5f * (k >= 2 ? 10 : 1), what[k]);
        }
    }

    @Test
    void groupNormAndItsGradientsMatchTheDjlOperations() {
        assertSame(run(false, false), run(true, false));
    }

    @Test
    void groupNormSiluAndItsGradientsMatchTheDjlOperations() {
        assertSame(run(false, true), run(true, true));
    }

    @Test
    void onChannelsLastInputGroupNormSiluAndItsGradientsMatchTheDjlOperations() {
        assertSame(run(false, true), run(true, true, true));
    }

    @Test
    void channelsLastKeepsShapeAndValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] v = values(7, N * C * H * W, 1f, 0f);
            NDArray x = m.create(v, new Shape(N, C, H, W));
            NDArray y = UnetOps.channelsLast(x);
            org.junit.jupiter.api.Assertions.assertEquals(x.getShape(), y.getShape());
            assertArrayEquals(v, y.toFloatArray(), 0f);
        }
    }

    @Test
    void siluAndItsGradientMatchXTimesSigmoid() {
        float[][] out = new float[2][];
        float[][] grad = new float[2][];
        for (int k = 0; k < 2; k++) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray x = m.create(values(5, 600, 4f, 0f), new Shape(6, 100));
                x.setRequiresGradient(true);
                NDArray y;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    y = k == 0 ? djlSilu(x) : UnetOps.silu(x);
                    gc.backward(y.mul(y).sum());
                }
                out[k] = y.toFloatArray();
                grad[k] = x.getGradient().toFloatArray();
            }
        }
        assertArrayEquals(out[0], out[1], 1e-5f);
        assertArrayEquals(grad[0], grad[1], 1e-4f);
    }

    @Test
    void underNoGradNothingIsRecorded() {
        try (NDManager m = NDManager.newBaseManager(); UnetOps.NormConstants constants = new UnetOps.NormConstants(m)) {
            NDArray x = m.create(values(6, N * C * H * W, 1f, 0f), new Shape(N, C, H, W));
            NDArray weight = m.ones(new Shape(C));
            weight.setRequiresGradient(true);
            try (NoGrad off = NoGrad.enter()) {
                NDArray y = UnetOps.groupNormSilu(x, weight, m.zeros(new Shape(C)), GROUPS, EPS, constants);
                assertFalse(ai.djl.pytorch.jni.JniUtils.requiresGrad((ai.djl.pytorch.engine.PtNDArray) y),
                        "an inference call recorded an autograd graph");
            }
        }
    }
}
