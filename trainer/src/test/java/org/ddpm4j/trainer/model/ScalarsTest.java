package org.ddpm4j.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ScalarsTest {

    /**
     * The premise of {@link Scalars}, pinned on DJL 0.33: an array created from Java memory is that
     * memory (no copy), and autograd reads it again in {@code backward}, after the {@code NDArray} was
     * closed. Here the memory is overwritten by hand; in training, the garbage collector frees it and
     * the allocator reuses it. If DJL starts copying, this test fails and {@link Scalars} can go.
     */
    @Test
    void autogradReadsAClosedArraysJavaMemoryInBackward() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1f, 2f, 3f});
            x.setRequiresGradient(true);
            ByteBuffer scalar = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
            scalar.putFloat(0, 0.5f);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y;
                try (NDArray s = m.create(scalar, new Shape(), DataType.FLOAT32)) {
                    y = x.mul(s);
                }
                assertArrayEquals(new float[] {0.5f, 1f, 1.5f}, y.toFloatArray());
                scalar.putFloat(0, Float.NaN);
                gc.backward(y.sum());
            }
            float[] grad = x.getGradient().toFloatArray();
            for (float g : grad) {
                assertTrue(Float.isNaN(g), "the gradient should read the overwritten scalar, found " + g);
            }
        }
    }

    @Test
    void timesDividedByAndMinimumHaveTheirClosedFormValuesAndGradients() {
        float[] in = {-2f, 0.5f, 1f, 3f};
        check(in, a -> Scalars.times(a, 0.25), new float[] {-0.5f, 0.125f, 0.25f, 0.75f},
                new float[] {0.25f, 0.25f, 0.25f, 0.25f});
        check(in, a -> Scalars.dividedBy(a, 4), new float[] {-0.5f, 0.125f, 0.25f, 0.75f},
                new float[] {0.25f, 0.25f, 0.25f, 0.25f});
        // at the tie x = 1, PyTorch splits the gradient between both operands
        check(in, a -> Scalars.minimum(a, 1.0), new float[] {-2f, 0.5f, 1f, 1f}, new float[] {1f, 1f, 0.5f, 0f});
    }

    private static void check(float[] in, UnaryOperator<NDArray> op, float[] value, float[] gradient) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(in);
            x.setRequiresGradient(true);
            NDArray y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                y = op.apply(x);
                gc.backward(y.sum());
            }
            assertArrayEquals(value, y.toFloatArray());
            assertArrayEquals(gradient, x.getGradient().toFloatArray());
        }
    }
}
