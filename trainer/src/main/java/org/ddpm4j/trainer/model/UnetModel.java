package org.ddpm4j.trainer.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.ddpm4j.runtime.noise.GaussianNoise;

/**
 * The DDPM UNet of a {@link UnetSpec} on DJL's PyTorch engine, written as plain NDArray functions
 * over a table of named parameters (the spec's canonical names, in spec order).
 *
 * <p>Not thread-safe. Intermediate arrays of {@link #forward} are attached to the manager of the
 * input {@code x}; close that manager (or the returned array) to free them.
 */
public final class UnetModel implements AutoCloseable {

    private final UnetSpec spec;
    private final NDManager manager;
    private final boolean ownsManager;
    private final Map<String, NDArray> params;
    private final UnetOps.NormConstants normConstants;

    private UnetModel(UnetSpec spec, NDManager manager, boolean ownsManager) {
        this.spec = spec;
        this.manager = manager;
        this.ownsManager = ownsManager;
        this.params = new LinkedHashMap<>();
        this.normConstants = new UnetOps.NormConstants(manager);
    }

    /**
     * A freshly initialised model on its own manager: conv and linear weights uniform in
     * +-1/sqrt(fan_in) from a {@link GaussianNoise} stream of {@code seed}; biases 0; norm weights 1;
     * the last conv of each residual block, each attention projection, the output conv and the class
     * embedding start at 0 (so a conditional model holding an unconditional model's other weights
     * computes exactly what that model computed).
     */
    public static UnetModel create(UnetSpec spec, long seed) {
        return initialised(spec, seed, NDManager.newBaseManager());
    }

    /** As {@link #create(UnetSpec, long)}, on {@code device} (CPU or a CUDA GPU). */
    public static UnetModel create(UnetSpec spec, long seed, Device device) {
        return initialised(spec, seed, NDManager.newBaseManager(device));
    }

    /** As {@link #create(UnetSpec, long)}, with the parameters living in a sub-manager of {@code parent}. */
    public static UnetModel create(UnetSpec spec, long seed, NDManager parent) {
        return initialised(spec, seed, parent.newSubManager());
    }

    private static UnetModel initialised(UnetSpec spec, long seed, NDManager m) {
        UnetModel model = new UnetModel(spec, m, true);
        GaussianNoise rng = new GaussianNoise(seed);
        for (UnetSpec.Param p : spec.parameters()) {
            float[] values = initialValues(p, rng);
            model.params.put(p.name(), OwnedArrays.of(m, values, new Shape(p.shape())));
        }
        return model;
    }

    /** A model holding the given weights (checked as {@link #loadWeights} does). */
    public static UnetModel fromWeights(UnetSpec spec, Map<String, float[]> weights) {
        return fromWeights(spec, weights, Device.cpu());
    }

    /** A model holding the given weights on {@code device} (checked as {@link #loadWeights} does). */
    public static UnetModel fromWeights(UnetSpec spec, Map<String, float[]> weights, Device device) {
        checkWeights(spec, weights);
        UnetModel model = new UnetModel(spec, NDManager.newBaseManager(device), true);
        for (UnetSpec.Param p : spec.parameters()) {
            model.params.put(p.name(), OwnedArrays.of(model.manager, weights.get(p.name()), new Shape(p.shape())));
        }
        return model;
    }

    static float[] initialValues(UnetSpec.Param p, GaussianNoise rng) {
        String name = p.name();
        float[] v = new float[Math.toIntExact(p.size())];
        if (name.endsWith(".bias")) {
            return v;
        }
        if (isNorm(name)) {
            java.util.Arrays.fill(v, 1f);
            return v;
        }
        if (startsAtZero(name)) {
            return v;
        }
        long[] s = p.shape();
        long fanIn = 1;
        for (int i = 1; i < s.length; i++) {
            fanIn *= s[i];
        }
        double bound = 1.0 / Math.sqrt(fanIn);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((rng.nextDouble() * 2.0 - 1.0) * bound);
        }
        return v;
    }

    private static boolean isNorm(String name) {
        return name.contains(".norm") && (name.endsWith(".weight") || name.endsWith(".bias"))
                && !name.contains(".conv");
    }

    private static boolean startsAtZero(String name) {
        return name.endsWith(".conv2.weight") || name.endsWith(".proj.weight") || name.equals("out.conv.weight")
                || name.equals(UnetSpec.CLASS_EMBEDDING);
    }

    /** The spec this model was built from. */
    public UnetSpec spec() {
        return spec;
    }

    /** The manager owning the parameters. */
    public NDManager manager() {
        return manager;
    }

    /** The parameters by canonical name, in spec order (the live arrays; do not close them). */
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(params);
    }

    /** Total number of learnable values. */
    public long parameterCount() {
        long n = 0;
        for (NDArray a : params.values()) {
            n += a.size();
        }
        return n;
    }

    /** Marks every parameter as trainable (gradients collected) or not. */
    public void setRequiresGradient(boolean requires) {
        for (NDArray a : params.values()) {
            a.setRequiresGradient(requires);
        }
    }

    /** Inference forward pass (no dropout): see {@link #forward(NDArray, NDArray, boolean)}. */
    public NDArray forward(NDArray x, NDArray t) {
        return forward(x, t, false);
    }

    /**
     * The forward pass of an unconditional model, or of a conditional one with the null label.
     *
     * @see #forward(NDArray, NDArray, long[], boolean)
     */
    public NDArray forward(NDArray x, NDArray t, boolean training) {
        return forward(x, t, null, training);
    }
    /**
     * The forward pass of {@link UnetSpec}'s Javadoc.
     *
     * @param x        x_t, float32 {@code [B, C, H, W]}
     * @param t        timestep indices {@code [B]} (any numeric type; used as float)
     * @param labels   a conditional model's class label per image (0..K-1, K the null label; null means
     *                 the null label for all); must be null for an unconditional model
     * @param training whether dropout is active
     * @return the prediction, float32 {@code [B, outChannels, H, W]}, attached to {@code x}'s manager
     */
    public NDArray forward(NDArray x, NDArray t, long[] labels, boolean training) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != spec.inChannels() || s.get(2) != spec.imageSize()
                || s.get(3) != spec.imageSize()) {
            throw new IllegalArgumentException("UNet input must be [B, " + spec.inChannels() + ", "
                    + spec.imageSize() + ", " + spec.imageSize() + "], found " + s);
        }
        if (t.getShape().dimension() != 1 || t.getShape().get(0) != s.get(0)) {
            throw new IllegalArgumentException("timesteps must be [" + s.get(0) + "], found " + t.getShape());
        }
        if (x.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("UNet input must be float32, found " + x.getDataType());
        }
        if (labels != null) {
            if (!spec.conditional()) {
                throw new IllegalArgumentException("the UNet is unconditional: it takes no class labels");
            }
            if (labels.length != s.get(0)) {
                throw new IllegalArgumentException("class labels must be [" + s.get(0) + "], found " + labels.length);
            }
            for (long l : labels) {
                if (l < 0 || l > spec.classCount()) {
                    throw new IllegalArgumentException("class label " + l + " is out of range: expected 0.."
                            + (spec.classCount() - 1) + " (or " + spec.classCount() + ", the null label)");
                }
            }
        }
        try (NDManager scope = x.getManager().newSubManager()) {
            // operations whose first operand is a parameter land in this scope and are freed here
            for (NDArray p : params.values()) {
                p.tempAttach(scope);
            }
            return forwardPass(x, t, labels, training);
        }
    }

    private NDArray p(String name) {
        NDArray a = params.get(name);
        if (a == null) {
            throw new IllegalStateException("missing parameter " + name);
        }
        return a;
    }

    private NDArray forwardPass(NDArray x, NDArray t, long[] labels, boolean training) {
        NDArray temb = UnetOps.sinusoidal(t, spec.baseChannels());
        temb = UnetOps.linear(temb, p("time.fc1.weight"), p("time.fc1.bias"));
        temb = UnetOps.linear(UnetOps.silu(temb), p("time.fc2.weight"), p("time.fc2.bias"));
        if (spec.conditional()) {
            temb = temb.add(classEmbedding(x.getManager(), labels, (int) x.getShape().get(0)));
        }
        NDArray tembAct = UnetOps.silu(temb);

        Deque<NDArray> hs = new ArrayDeque<>();
        // channels-last from here on: the convolutions skip oneDNN's layout reorders (UnetOps.channelsLast)
        NDArray h = UnetOps.channelsLast(UnetOps.conv3(x, p("in.conv.weight"), p("in.conv.bias")));
        hs.push(h);
        int levels = spec.levels();
        for (int i = 0; i < levels; i++) {
            for (int j = 0; j < spec.blocksPerLevel(); j++) {
                h = res("down." + i + ".res." + j, h, tembAct, training);
                if (spec.hasAttention(i)) {
                    h = attn("down." + i + ".attn." + j, h);
                }
                hs.push(h);
            }
            if (i < levels - 1) {
                String n = "down." + i + ".downsample";
                h = spec.downsamplePadding() == UnetSpec.PAD_SYMMETRIC
                        ? UnetOps.conv3Stride2(h, p(n + ".weight"), p(n + ".bias"))
                        : UnetOps.conv3Stride2PadBottomRight(h, p(n + ".weight"), p(n + ".bias"));
                hs.push(h);
            }
        }
        h = res("mid.res1", h, tembAct, training);
        h = attn("mid.attn", h);
        h = res("mid.res2", h, tembAct, training);
        for (int i = levels - 1; i >= 0; i--) {
            for (int j = 0; j <= spec.blocksPerLevel(); j++) {
                NDArray skip = hs.pop();
                h = NDArrays.concat(new NDList(h, skip), 1);
                h = res("up." + i + ".res." + j, h, tembAct, training);
                if (spec.hasAttention(i)) {
                    h = attn("up." + i + ".attn." + j, h);
                }
            }
            if (i > 0) {
                String n = "up." + i + ".upsample";
                h = UnetOps.conv3(UnetOps.upsampleNearest2x(h), p(n + ".weight"), p(n + ".bias"));
            }
        }
        h = normSilu("out.norm", h);
        return UnetOps.conv3(h, p("out.conv.weight"), p("out.conv.bias"));
    }

    /** Rows of the class table for the labels, as a one-hot product so the gradient reaches the table. */
    private NDArray classEmbedding(NDManager m, long[] labels, int batch) {
        int rows = spec.classCount() + 1;
        float[] oneHot = new float[batch * rows];
        for (int i = 0; i < batch; i++) {
            oneHot[i * rows + (int) (labels == null ? spec.classCount() : labels[i])] = 1f;
        }
        // autograd keeps the one-hot for the table's gradient: libtorch's memory, never a wrapped Java buffer
        return OwnedArrays.of(m, oneHot, new Shape(batch, rows)).matMul(p(UnetSpec.CLASS_EMBEDDING));
    }

    private NDArray norm(String name, NDArray x) {
        return UnetOps.groupNorm(x, p(name + ".weight"), p(name + ".bias"), spec.groups(), spec.normEps(), normConstants);
    }

    /** silu(norm(x)), in one call. */
    private NDArray normSilu(String name, NDArray x) {
        return UnetOps.groupNormSilu(x, p(name + ".weight"), p(name + ".bias"), spec.groups(), spec.normEps(),
                normConstants);
    }

    private NDArray res(String name, NDArray x, NDArray tembAct, boolean training) {
        NDArray h = UnetOps.conv3(normSilu(name + ".norm1", x), p(name + ".conv1.weight"), p(name + ".conv1.bias"));
        NDArray tproj = UnetOps.linear(tembAct, p(name + ".temb.weight"), p(name + ".temb.bias"));
        h = h.add(tproj.expandDims(2).expandDims(3));
        h = normSilu(name + ".norm2", h);
        h = UnetOps.dropout(h, spec.dropout(), training);
        h = UnetOps.conv3(h, p(name + ".conv2.weight"), p(name + ".conv2.bias"));
        NDArray skip = params.containsKey(name + ".skip.weight")
                ? UnetOps.conv1(x, p(name + ".skip.weight"), p(name + ".skip.bias"))
                : x;
        return skip.add(h);
    }

    private NDArray attn(String name, NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long hw = s.get(2) * s.get(3);
        NDArray qkv = UnetOps.conv1(norm(name + ".norm", x), p(name + ".qkv.weight"), p(name + ".qkv.bias"));
        NDList parts = qkv.reshape(b, 3 * c, hw).split(3, 1);
        NDArray q = parts.get(0);
        NDArray k = parts.get(1);
        NDArray v = parts.get(2);
        NDArray w = Scalars.times(q.transpose(0, 2, 1).matMul(k), 1.0 / Math.sqrt(c)).softmax(2); // [B, i, j]
        NDArray a = v.matMul(w.transpose(0, 2, 1)).reshape(s); // a[b,c,i] = sum_j v[b,c,j] w[b,i,j]
        return x.add(UnetOps.conv1(a, p(name + ".proj.weight"), p(name + ".proj.bias")));
    }

    /** Every parameter's values by canonical name, in spec order (copies). */
    public Map<String, float[]> weights() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            out.put(e.getKey(), e.getValue().toFloatArray());
        }
        return out;
    }

    /**
     * Replaces every parameter's values. The parameter arrays are replaced too (see
     * {@link OwnedArrays}): look them up through {@link #parameters()} after loading, never keep them.
     * Whether a parameter collects gradients carries over.
     *
     * @throws IllegalArgumentException listing every missing, misshaped and unexpected name at once
     */
    public void loadWeights(Map<String, float[]> weights) {
        checkWeights(spec, weights);
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray old = e.getValue();
            NDArray fresh = OwnedArrays.of(manager, weights.get(e.getKey()), old.getShape());
            if (old.hasGradient()) {
                fresh.setRequiresGradient(true);
            }
            e.setValue(fresh);
            old.close();
        }
    }

    /** Checks names and sizes against the spec, reporting every problem in one message. */
    public static void checkWeights(UnetSpec spec, Map<String, float[]> weights) {
        List<String> problems = new ArrayList<>();
        Map<String, UnetSpec.Param> expected = new LinkedHashMap<>();
        for (UnetSpec.Param p : spec.parameters()) {
            expected.put(p.name(), p);
        }
        List<String> missing = new ArrayList<>();
        for (UnetSpec.Param p : expected.values()) {
            float[] v = weights.get(p.name());
            if (v == null) {
                missing.add(p.name());
            } else if (v.length != p.size()) {
                problems.add("misshaped " + p.name() + ": expected " + p.size() + " values for shape "
                        + java.util.Arrays.toString(p.shape()) + ", found " + v.length);
            }
        }
        if (!missing.isEmpty()) {
            problems.add(0, "missing " + missing.size() + ": " + String.join(", ", missing));
        }
        List<String> unexpected = new ArrayList<>();
        for (String name : weights.keySet()) {
            if (!expected.containsKey(name)) {
                unexpected.add(name);
            }
        }
        if (!unexpected.isEmpty()) {
            problems.add("unexpected " + unexpected.size() + ": " + String.join(", ", unexpected));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("weights do not match the UNet spec (" + expected.size()
                    + " tensors expected): " + String.join("; ", problems));
        }
    }

    /** A {@link org.ddpm4j.runtime.sampling.Denoiser} running this model in inference mode. */
    public UnetDenoiser denoiser() {
        return new UnetDenoiser(this);
    }

    /** A {@link org.ddpm4j.runtime.sampling.Denoiser} running this model, trained to predict {@code prediction}. */
    public UnetDenoiser denoiser(org.ddpm4j.runtime.sampling.Prediction prediction) {
        return new UnetDenoiser(this, prediction);
    }

    @Override
    public void close() {
        normConstants.close();
        if (ownsManager) {
            manager.close();
        }
    }
}
