package org.ddpm4j.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.trainer.checkpoint.OptimizerState;

/**
 * Adam (Kingma and Ba 2015) on NDArrays, written out so that its state (first and second moments
 * per parameter, and the step count) can be checkpointed and restored exactly.
 *
 * <pre>
 * m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2
 * p = p - lr * (m / (1 - b1^k)) / (sqrt(v / (1 - b2^k)) + eps)      k = updates so far, from 1
 * </pre>
 */
public final class AdamOptimizer implements AutoCloseable {

    private final NDManager manager;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long step;

    /** Zero moments shaped like {@code params}, in a sub-manager of {@code parent}. */
    public AdamOptimizer(Map<String, NDArray> params, NDManager parent, double beta1, double beta2, double eps) {
        this.manager = parent.newSubManager();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            m.put(e.getKey(), manager.zeros(e.getValue().getShape(), DataType.FLOAT32));
            v.put(e.getKey(), manager.zeros(e.getValue().getShape(), DataType.FLOAT32));
        }
    }

    /** Updates applied so far. */
    public long step() {
        return step;
    }

    /**
     * One Adam update of every parameter in place.
     *
     * @param params    the parameters (updated in place)
     * @param grads     their gradients, same keys
     * @param lr        learning rate of this update
     * @param gradScale factor applied to every gradient first (global-norm clipping)
     * @param scope     manager that receives the temporaries (closed by the caller)
     */
    public void update(Map<String, NDArray> params, Map<String, NDArray> grads, double lr, double gradScale,
            NDManager scope) {
        step++;
        double bc1 = 1.0 - Math.pow(beta1, step);
        double bc2 = 1.0 - Math.pow(beta2, step);
        double stepSize = lr / bc1;
        double invSqrtBc2 = 1.0 / Math.sqrt(bc2);
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            String name = e.getKey();
            NDArray p = e.getValue();
            NDArray mi = m.get(name);
            NDArray vi = v.get(name);
            mi.tempAttach(scope);
            vi.tempAttach(scope);
            NDArray g = grads.get(name);
            if (gradScale != 1.0) {
                g = g.mul(gradScale);
            }
            mi.muli(beta1).addi(g.mul(1.0 - beta1));
            vi.muli(beta2).addi(g.square().muli(1.0 - beta2));
            NDArray denom = vi.sqrt().muli(invSqrtBc2).addi(eps);
            p.subi(mi.div(denom).muli(stepSize));
        }
    }

    /** A copy of the state, for a checkpoint. */
    public OptimizerState state() {
        Map<String, float[]> mm = new LinkedHashMap<>();
        Map<String, float[]> vv = new LinkedHashMap<>();
        m.forEach((k, a) -> mm.put(k, a.toFloatArray()));
        v.forEach((k, a) -> vv.put(k, a.toFloatArray()));
        return new OptimizerState(step, mm, vv);
    }

    /** Restores a saved state (names and sizes must match). */
    public void load(OptimizerState state) {
        for (Map.Entry<String, NDArray> e : m.entrySet()) {
            copy(state.firstMoment(), e.getKey(), e.getValue(), "first moment");
        }
        for (Map.Entry<String, NDArray> e : v.entrySet()) {
            copy(state.secondMoment(), e.getKey(), e.getValue(), "second moment");
        }
        this.step = state.step();
    }

    private static void copy(Map<String, float[]> from, String name, NDArray into, String what) {
        float[] values = from.get(name);
        if (values == null || values.length != into.size()) {
            throw new IllegalArgumentException("optimizer " + what + " of " + name + ": expected " + into.size()
                    + " values, found " + (values == null ? "none" : values.length));
        }
        into.set(FloatBuffer.wrap(values));
    }

    @Override
    public void close() {
        manager.close();
    }
}
