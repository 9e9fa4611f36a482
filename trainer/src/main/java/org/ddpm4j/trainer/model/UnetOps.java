package org.ddpm4j.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.HashMap;
import java.util.Map;

/**
 * The tensor operations of the UNet, one method per equation of {@link UnetSpec}'s Javadoc.
 * Results are attached to the manager of the first (activation) operand.
 */
public final class UnetOps {

    private static final Shape ONE = new Shape(1, 1);
    private static final Shape PAD1 = new Shape(1, 1);
    private static final Shape PAD0 = new Shape(0, 0);
    private static final Shape STRIDE2 = new Shape(2, 2);

    private UnetOps() {
    }

    /** The frequencies f_k = exp(-ln(10000) k / (half - 1)), k = 0..half-1, computed in double. */
    public static float[] sinusoidalFrequencies(int dim) {
        int half = dim / 2;
        float[] f = new float[half];
        for (int k = 0; k < half; k++) {
            f[k] = half == 1 ? 1f : (float) Math.exp(-Math.log(10000.0) * k / (half - 1));
        }
        return f;
    }

    /** sinusoidal(t, d) = [sin(t f), cos(t f)] as {@code [B, d]}; {@code t} is {@code [B]} of any numeric type. */
    public static NDArray sinusoidal(NDArray t, int dim) {
        float[] freqs = sinusoidalFrequencies(dim);
        NDArray tf = t.toType(DataType.FLOAT32, false).reshape(-1, 1);
        NDArray f = tf.getManager().create(freqs, new Shape(1, freqs.length));
        NDArray args = tf.mul(f);
        return NDArrays.concat(new NDList(args.sin(), args.cos()), 1);
    }

    /** x W^T + b, x {@code [B, in]}, W {@code [out, in]}. */
    public static NDArray linear(NDArray x, NDArray w, NDArray b) {
        return x.getNDArrayInternal().linear(x, w, b).singletonOrThrow();
    }

    /**
     * Output channels are padded to a multiple of this before a convolution runs (see
     * {@link #convolution}).
     */
    public static final int CONV_CHANNEL_BLOCK = 16;

    /** 3x3 convolution, padding 1, stride 1. */
    public static NDArray conv3(NDArray x, NDArray w, NDArray b) {
        return convolution(x, w, b, ONE, PAD1);
    }

    /** 3x3 convolution, padding 1, stride 2 (the downsampling conv). */
    public static NDArray conv3Stride2(NDArray x, NDArray w, NDArray b) {
        return convolution(x, w, b, STRIDE2, PAD1);
    }

    /**
     * 3x3 convolution, stride 2, without padding, after one row of zeros at the bottom and one column
     * at the right (the downsampling conv of {@code downsamplePadding = 0}: TensorFlow's "SAME" at
     * stride 2, diffusers' {@code Downsample2D(padding=0)}).
     */
    public static NDArray conv3Stride2PadBottomRight(NDArray x, NDArray w, NDArray b) {
        return convolution(padBottomRight(x), w, b, STRIDE2, PAD0);
    }

    /** {@code [B, C, H, W]} to {@code [B, C, H+1, W+1]} with zeros in the new last row and column. */
    public static NDArray padBottomRight(NDArray x) {
        Shape s = x.getShape();
        NDManager m = x.getManager();
        NDArray column = m.zeros(new Shape(s.get(0), s.get(1), s.get(2), 1), x.getDataType(), x.getDevice());
        NDArray wider = NDArrays.concat(new NDList(x, column), 3);
        NDArray row = m.zeros(new Shape(s.get(0), s.get(1), 1, s.get(3) + 1), x.getDataType(), x.getDevice());
        return NDArrays.concat(new NDList(wider, row), 2);
    }

    /** 1x1 convolution. */
    public static NDArray conv1(NDArray x, NDArray w, NDArray b) {
        return convolution(x, w, b, ONE, PAD0);
    }

    /**
     * A 2-D convolution whose output channels are zero-padded to a multiple of
     * {@link #CONV_CHANNEL_BLOCK} and sliced back afterwards.
     *
     * <p>Why: libtorch 2.5.1's CPU convolution (oneDNN, AVX-512 blocked layouts of 16 channels)
     * computes the input gradient from a gradient-of-output buffer whose padding channels are never
     * written when the output channel count is not a multiple of 16. Whatever the allocator left there
     * is multiplied by the zero padding of the weights: ordinary finite values vanish (measured: exact
     * zeros with the allocator filled with 1000), but NaN, Inf or values that overflow (1e30) give
     * NaN, and everything behind the layer (the UNet's 1- or 3-channel output conv, so the whole
     * network) inherits it: the random "gradient norm NaN" stops of early versions. With the weights padded here, the padding
     * channels are real outputs whose gradient autograd fills with zeros. Costs a few percent of the
     * output conv only; convolutions whose channels are already a multiple of 16 run unchanged.
     * {@code UnetOpsTest} poisons the allocator with NaN and pins the exact zero gradient.
     */
    static NDArray convolution(NDArray x, NDArray w, NDArray b, Shape stride, Shape pad) {
        long out = w.getShape().get(0);
        long padded = (out + CONV_CHANNEL_BLOCK - 1) / CONV_CHANNEL_BLOCK * CONV_CHANNEL_BLOCK;
        if (padded == out) {
            return x.getNDArrayInternal().convolution(x, w, b, stride, pad, ONE, 1).singletonOrThrow();
        }
        Shape ws = w.getShape();
        NDManager m = x.getManager();
        NDArray wPad = NDArrays.concat(new NDList(w,
                m.zeros(new Shape(padded - out, ws.get(1), ws.get(2), ws.get(3)), w.getDataType(), w.getDevice())), 0);
        NDArray bPad = NDArrays.concat(new NDList(b, m.zeros(new Shape(padded - out), b.getDataType(), b.getDevice())), 0);
        NDArray y = x.getNDArrayInternal().convolution(x, wPad, bPad, stride, pad, ONE, 1).singletonOrThrow();
        return y.get(new NDIndex(":, 0:{}", out));
    }

    /** silu(x) = x sigmoid(x), libtorch's fused kernel ({@link TorchScriptOps}). */
    public static NDArray silu(NDArray x) {
        return TorchScriptOps.silu(x);
    }

    /**
     * {@code x} with channels-last strides (NHWC memory order), the same logical {@code [B, C, H, W]}
     * array. libtorch's CPU convolution (oneDNN) reorders NCHW activations into its blocked layout
     * and back around every call, forward and backward, which took 27-44% of oneDNN's time in the
     * fashion preset's training step ({@code ONEDNN_VERBOSE=1}); on channels-last input it runs NHWC kernels without those reorders,
     * and its output, GroupNorm, SiLU, additions, concatenation and upsampling keep the order
     * (docs/ABLATION.md, "Training step speed"). Values are unchanged.
     */
    public static NDArray channelsLast(NDArray x) {
        return TorchScriptOps.channelsLast(x);
    }

    /** Nearest-neighbour 2x upsampling of {@code [B, C, H, W]}. */
    public static NDArray upsampleNearest2x(NDArray x) {
        Shape s = x.getShape();
        // DJL's PyTorch interpolation mode 0 is "nearest"
        return x.getNDArrayInternal().interpolation(new long[] {s.get(2) * 2, s.get(3) * 2}, 0, false);
    }

    /** Dropout with rate {@code p} (identity when not training or p = 0). */
    public static NDArray dropout(NDArray x, double p, boolean training) {
        if (!training || p <= 0) {
            return x;
        }
        return x.getNDArrayInternal().dropout(x, (float) p, true).singletonOrThrow();
    }

    /**
     * GroupNorm of {@code [B, C, H, W]} over {@code groups} groups of channels, then the per-channel
     * weight and bias: libtorch's {@code group_norm} kernel ({@link TorchScriptOps}).
     */
    public static NDArray groupNorm(NDArray x, NDArray weight, NDArray bias, int groups, double eps,
            NormConstants constants) {
        return TorchScriptOps.groupNorm(x, weight, bias, constants.of(groups, eps, false));
    }

    /** silu(groupNorm(x)): libtorch's two fused kernels in one call. */
    public static NDArray groupNormSilu(NDArray x, NDArray weight, NDArray bias, int groups, double eps,
            NormConstants constants) {
        return TorchScriptOps.groupNorm(x, weight, bias, constants.of(groups, eps, true));
    }

    /**
     * The non-tensor arguments of {@link #groupNorm} (group count, epsilon as float32, whether SiLU
     * follows) as 0-d tensors in libtorch's memory, as the TorchScript module takes them; cached,
     * never trained.
     */
    public static final class NormConstants implements AutoCloseable {
        private final NDManager manager;
        private final Map<String, NDArray[]> cache = new HashMap<>();

        public NormConstants(NDManager parent) {
            this.manager = parent.newSubManager();
        }

        synchronized NDArray[] of(int groups, double eps, boolean silu) {
            float e = (float) eps;
            return cache.computeIfAbsent(groups + "/" + e + "/" + silu, k -> new NDArray[] {
                    OwnedArrays.of(manager, new float[] {groups}, new Shape()),
                    OwnedArrays.of(manager, new float[] {e}, new Shape()),
                    OwnedArrays.of(manager, new float[] {silu ? 1f : 0f}, new Shape())});
        }

        @Override
        public synchronized void close() {
            cache.clear();
            manager.close();
        }
    }
}
