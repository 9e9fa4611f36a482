package org.ddpm4j.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.trainer.checkpoint.OptimizerState;
import org.junit.jupiter.api.Test;

class AdamOptimizerTest {

    /** Three updates of two tensors against the textbook formula in double precision. */
    @Test
    void matchesTheAdamFormula() {
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        double lr = 0.01;
        double scale = 0.5;
        double[] p = {1.0, -2.0, 0.5, 3.0, 0.25};
        double[][] grads = {{0.1, -0.2, 0.3, 0.0, 1.0}, {0.5, 0.5, -0.5, 2.0, -1.0}, {0.0, 1.0, 0.2, -0.3, 0.1}};
        double[] m = new double[5];
        double[] v = new double[5];
        try (NDManager nd = NDManager.newBaseManager()) {
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("a", nd.create(new float[] {1f, -2f, 0.5f, 3f}, new Shape(2, 2)));
            params.put("b", nd.create(new float[] {0.25f}));
            AdamOptimizer adam = new AdamOptimizer(params, nd, b1, b2, eps);
            for (int k = 0; k < grads.length; k++) {
                float[] g = new float[5];
                for (int i = 0; i < 5; i++) {
                    g[i] = (float) grads[k][i];
                    double gs = grads[k][i] * scale;
                    m[i] = b1 * m[i] + (1 - b1) * gs;
                    v[i] = b2 * v[i] + (1 - b2) * gs * gs;
                    double mh = m[i] / (1 - Math.pow(b1, k + 1));
                    double vh = v[i] / (1 - Math.pow(b2, k + 1));
                    p[i] -= lr * mh / (Math.sqrt(vh) + eps);
                }
                try (NDManager scope = nd.newSubManager()) {
                    adam.update(params, scope.create(g), lr, scale, scope);
                }
            }
            float[] got = new float[5];
            System.arraycopy(params.get("a").toFloatArray(), 0, got, 0, 4);
            got[4] = params.get("b").toFloatArray()[0];
            for (int i = 0; i < 5; i++) {
                assertEquals(p[i], got[i], 1e-5, "parameter value " + i);
            }
            assertEquals(new Shape(2, 2), params.get("a").getShape());
            OptimizerState state = adam.state();
            assertEquals(3, state.step());
            assertEquals(List.of("a", "b"), List.copyOf(state.firstMoment().keySet()));
            assertEquals(m[4], state.firstMoment().get("b")[0], 1e-6);
            assertEquals(v[1], state.secondMoment().get("a")[1], 1e-7);
            AdamOptimizer restored = new AdamOptimizer(params, nd, b1, b2, eps);
            restored.load(state);
            assertArrayEquals(state.secondMoment().get("a"), restored.state().secondMoment().get("a"), 0f);
            assertEquals(3, restored.step());
        }
    }
}
