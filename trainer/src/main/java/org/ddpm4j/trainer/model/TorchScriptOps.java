package org.ddpm4j.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * What DJL's PyTorch engine does not expose: libtorch's fused {@code F.group_norm} (with its affine,
 * optionally followed by SiLU) and {@code F.silu}, and channels-last memory order, called through
 * three weightless TorchScript modules shipped as resources ({@code torchscript/*.pt}, written by
 * {@code tools/scripts/torchscript-ops.py}).
 *
 * <p>Why: built from DJL's operations, GroupNorm + SiLU was a layer norm on a reshape, a multiply
 * and an add for the affine, a sigmoid and a multiply, and as many kernels again backward, each a
 * full pass over the activations; libtorch's kernels take one pass each, forward and backward.
 * Measured on the fashion preset's training step in docs/ABLATION.md ("Training step speed").
 * Results agree with the DJL-op versions to floating-point rounding, not bit for bit.
 *
 * <p>Autograd: each module is called through its {@code forward} with training on, so libtorch
 * records the kernels as it records any other operation when grad mode is on (and records nothing
 * under {@link NoGrad}). The graph executor's optimizer is turned off for the calling thread before
 * each call, so the interpreter runs exactly these kernels and their own backward formulas, never a
 * profiled and re-differentiated graph. Results are attached to the manager of the first operand.
 */
final class TorchScriptOps {

    private static final String GROUP_NORM = "torchscript/group_norm.pt";
    private static final String SILU = "torchscript/silu.pt";
    private static final String CHANNELS_LAST = "torchscript/channels_last.pt";

    private static volatile Modules modules;

    private TorchScriptOps() {
    }

    private record Modules(PtSymbolBlock groupNorm, PtSymbolBlock silu, PtSymbolBlock channelsLast) {
    }

    /**
     * {@code F.group_norm(x, groups, weight, bias, eps)}, then SiLU when {@code constants} says so;
     * {@code constants} from {@link UnetOps.NormConstants}.
     */
    static NDArray groupNorm(NDArray x, NDArray weight, NDArray bias, NDArray[] constants) {
        return run(modules().groupNorm, new NDList(x, weight, bias, constants[0], constants[1], constants[2]));
    }

    /** {@code F.silu(x)}. */
    static NDArray silu(NDArray x) {
        return run(modules().silu, new NDList(x));
    }

    /** {@code x.contiguous(memory_format=torch.channels_last)}. */
    static NDArray channelsLast(NDArray x) {
        return run(modules().channelsLast, new NDList(x));
    }

    private static NDArray run(PtSymbolBlock module, NDList inputs) {
        JniUtils.setGraphExecutorOptimize(false);
        return IValueUtils.forward(module, inputs, true).singletonOrThrow();
    }

    private static Modules modules() {
        Modules m = modules;
        if (m == null) {
            synchronized (TorchScriptOps.class) {
                m = modules;
                if (m == null) {
                    // weightless modules: one manager for the process, never closed
                    PtNDManager manager = (PtNDManager) NDManager.newBaseManager(Device.cpu(), "PyTorch");
                    m = new Modules(load(manager, GROUP_NORM), load(manager, SILU), load(manager, CHANNELS_LAST));
                    modules = m;
                }
            }
        }
        return m;
    }

    private static PtSymbolBlock load(PtNDManager manager, String resource) {
        try (InputStream in = TorchScriptOps.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the trainer's jar lacks its resource " + resource
                        + " (written by tools/scripts/torchscript-ops.py)");
            }
            return JniUtils.loadModule(manager, in, true, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the trainer's resource " + resource, e);
        }
    }
}
