package org.ddpm4j.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The convolution helpers' gradients, with the native allocator poisoned: before every pass, large
 * NaN-filled arrays are allocated and freed, so a kernel that reads memory it never wrote sees NaN.
 * libtorch 2.5.1's CPU convolution did exactly that for output channel counts that are not a
 * multiple of 16 (the UNet's 1-channel output conv), which made training diverge at random; these
 * tests fail within a few passes without {@link UnetOps#convolution}'s channel padding.
 */
class UnetOpsTest {

    private static final int PASSES = 30;

    private static void poisonAllocator(NDManager root) {
        try (NDManager p = root.newSubManager()) {
            for (long k = 1; k <= 64; k *= 2) {
                p.full(new Shape(k * 4096), Float.NaN);
            }
        }
    }

    /** With zero weights the input gradient is exactly zero: any other value was read, not computed. */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 8, 12, 16})
    void inputGradientOfZeroWeightsIsExactlyZero(int outChannels) {
        try (NDManager root = NDManager.newBaseManager()) {
            NDArray w = root.zeros(new Shape(outChannels, 16, 3, 3));
            NDArray b = root.zeros(new Shape(outChannels));
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            for (int pass = 0; pass < PASSES; pass++) {
                poisonAllocator(root);
                try (NDManager s = root.newSubManager()) {
                    NDArray x = s.randomNormal(new Shape(8, 16, 16, 16));
                    x.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray y = UnetOps.conv3(x, w, b);
                        gc.backward(y.sub(s.randomNormal(y.getShape())).square().mean());
                    }
                    float[] g = x.getGradient().toFloatArray();
                    int wrong = 0;
                    for (float v : g) {
                        if (v != 0f) {
                            wrong++;
                        }
                    }
                    assertEquals(0, wrong, "pass " + pass + ": input gradient values that are not exactly 0 (of "
                            + g.length + ") behind a zero-weight conv with " + outChannels + " output channels");
                }
            }
        }
    }

    /**
     * loss = sum(conv(x) * G) is linear in x, so sum(x * dloss/dx) must equal the loss: an adjoint
     * check of the input gradient with real (non-zero) weights, for every conv helper.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 8, 32})
    void inputGradientIsTheAdjointOfTheConvolution(int outChannels) {
        try (NDManager root = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            NDArray w3 = root.randomNormal(new Shape(outChannels, 16, 3, 3)).mul(0.1);
            NDArray w1 = root.randomNormal(new Shape(outChannels, 16, 1, 1)).mul(0.1);
            NDArray b = root.zeros(new Shape(outChannels));
            for (int pass = 0; pass < PASSES; pass++) {
                poisonAllocator(root);
                int kind = pass % 3;
                try (NDManager s = root.newSubManager()) {
                    NDArray x = s.randomNormal(new Shape(4, 16, 16, 16));
                    x.setRequiresGradient(true);
                    NDArray loss;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray y = switch (kind) {
                            case 0 -> UnetOps.conv3(x, w3, b);
                            case 1 -> UnetOps.conv3Stride2(x, w3, b);
                            default -> UnetOps.conv1(x, w1, b);
                        };
                        loss = y.mul(s.randomNormal(y.getShape())).sum();
                        gc.backward(loss);
                    }
                    double direct = loss.getFloat();
                    double adjoint = x.mul(x.getGradient()).sum().getFloat();
                    assertTrue(Double.isFinite(adjoint) && Math.abs(direct - adjoint) <= 1e-3 * (1 + Math.abs(direct)),
                            "pass " + pass + " (conv kind " + kind + ", " + outChannels + " output channels): sum(conv(x) G) = "
                                    + direct + " but sum(x dL/dx) = " + adjoint);
                }
            }
        }
    }
}
