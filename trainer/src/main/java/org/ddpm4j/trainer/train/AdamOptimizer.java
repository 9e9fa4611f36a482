package org.ddpm4j.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.ddpm4j.trainer.checkpoint.OptimizerState;
import org.ddpm4j.trainer.model.OwnedArrays;

/**
 * Adam (Kingma and Ba 2015) on NDArrays, written out so that its state (first and second moments
 * per parameter, and the step count) can be checkpointed and restored exactly. The moments are
 * kept as one flat vector over all parameters (in map order), so an update is a handful of large
 * operations.
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
    private final FlatLayout layout;
    private NDArray m;
    private NDArray v;
    private long step;

    /** Zero moments for {@code params}, in a sub-manager of {@code parent}. */
    public AdamOptimizer(Map<String, NDArray> params, NDManager parent, double beta1, double beta2, double eps) {
        this.manager = parent.newSubManager();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.layout = new FlatLayout(params);
        this.m = manager.zeros(new Shape(layout.total()), DataType.FLOAT32);
        this.v = manager.zeros(new Shape(layout.total()), DataType.FLOAT32);
    }

    /** Updates applied so far. */
    public long step() {
        return step;
    }

    /**
     * One Adam update of every parameter in place.
     *
     * @param params    the parameters (updated in place), in the order given at construction
     * @param flatGrad  their gradients flattened and concatenated in that order
     * @param lr        learning rate of this update
     * @param gradScale factor applied to every gradient first (global-norm clipping)
     * @param scope     manager that receives the temporaries (closed by the caller)
     */
    public void update(Map<String, NDArray> params, NDArray flatGrad, double lr, double gradScale, NDManager scope) {
        step++;
        double bc1 = 1.0 - Math.pow(beta1, step);
        double bc2 = 1.0 - Math.pow(beta2, step);
        double stepSize = lr / bc1;
        double invSqrtBc2 = 1.0 / Math.sqrt(bc2);
        m.tempAttach(scope);
        v.tempAttach(scope);
        NDArray g = gradScale != 1.0 ? flatGrad.mul(gradScale) : flatGrad;
        m.muli(beta1).addi(g.mul(1.0 - beta1));
        v.muli(beta2).addi(g.square().muli(1.0 - beta2));
        NDArray denom = v.sqrt().muli(invSqrtBc2).addi(eps);
        NDArray update = m.div(denom).muli(stepSize);
        List<NDArray> pieces = layout.unflatten(update);
        Iterator<NDArray> it = pieces.iterator();
        for (NDArray p : params.values()) {
            p.subi(it.next());
        }
    }

    /** A copy of the state, for a checkpoint. */
    public OptimizerState state() {
        return new OptimizerState(step, layout.toMap(m.toFloatArray()), layout.toMap(v.toFloatArray()));
    }

    /** Restores a saved state (names and sizes must match). */
    public void load(OptimizerState state) {
        NDArray newM = OwnedArrays.of(manager, layout.fromMap(state.firstMoment(), "optimizer first moment"));
        NDArray newV = OwnedArrays.of(manager, layout.fromMap(state.secondMoment(), "optimizer second moment"));
        m.close();
        v.close();
        m = newM;
        v = newV;
        this.step = state.step();
    }

    @Override
    public void close() {
        manager.close();
    }
}
