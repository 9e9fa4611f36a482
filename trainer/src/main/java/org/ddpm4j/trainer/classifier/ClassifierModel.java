package org.ddpm4j.trainer.classifier;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.runtime.noise.GaussianNoise;
import org.ddpm4j.trainer.model.OwnedArrays;
import org.ddpm4j.trainer.model.UnetOps;

/**
 * The {@link ClassifierSpec} network on DJL's PyTorch engine, as plain NDArray functions over a
 * table of named parameters (canonical names, spec order).
 *
 * <p>Not thread-safe. Intermediate arrays of {@link #forward} are attached to the manager of the
 * input; close that manager to free them.
 */
public final class ClassifierModel implements AutoCloseable {

    private final ClassifierSpec spec;
    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();

    private ClassifierModel(ClassifierSpec spec, NDManager manager) {
        this.spec = spec;
        this.manager = manager;
    }

    /** The two outputs of a forward pass: {@code features [B, featureDim]} and {@code logits [B, classes]}. */
    public record Output(NDArray features, NDArray logits) {
    }

    /**
     * A freshly initialised model: conv weights uniform in +-sqrt(6 / fan_in) (He, for ReLU), the head
     * uniform in +-1/sqrt(fan_in), biases 0; values drawn from a {@link GaussianNoise} stream of {@code seed}.
     */
    public static ClassifierModel create(ClassifierSpec spec, long seed) {
        ClassifierModel model = new ClassifierModel(spec, NDManager.newBaseManager());
        GaussianNoise rng = new GaussianNoise(seed);
        for (ClassifierSpec.Param p : spec.parameters()) {
            float[] v = new float[Math.toIntExact(p.size())];
            if (!p.name().endsWith(".bias")) {
                long fanIn = p.size() / p.shape()[0];
                double bound = p.name().startsWith("head") ? 1.0 / Math.sqrt(fanIn) : Math.sqrt(6.0 / fanIn);
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
                }
            }
            model.params.put(p.name(), OwnedArrays.of(model.manager, v, new Shape(p.shape())));
        }
        return model;
    }

    /**
     * A model holding the given weights.
     *
     * @throws IllegalArgumentException when a parameter is missing or has the wrong number of values
     */
    public static ClassifierModel fromWeights(ClassifierSpec spec, Map<String, float[]> weights) {
        checkWeights(spec, weights);
        ClassifierModel model = new ClassifierModel(spec, NDManager.newBaseManager());
        for (ClassifierSpec.Param p : spec.parameters()) {
            model.params.put(p.name(), OwnedArrays.of(model.manager, weights.get(p.name()), new Shape(p.shape())));
        }
        return model;
    }

    /** Checks that {@code weights} has every parameter of {@code spec} with the right size, and nothing else. */
    public static void checkWeights(ClassifierSpec spec, Map<String, float[]> weights) {
        for (ClassifierSpec.Param p : spec.parameters()) {
            float[] v = weights.get(p.name());
            if (v == null) {
                throw new IllegalArgumentException("classifier weights: missing parameter " + p.name() + ", expected "
                        + p.size() + " values");
            }
            if (v.length != p.size()) {
                throw new IllegalArgumentException("classifier weights: parameter " + p.name() + " expected "
                        + p.size() + " values, found " + v.length);
            }
        }
        if (weights.size() != spec.parameters().size()) {
            throw new IllegalArgumentException("classifier weights: expected " + spec.parameters().size()
                    + " parameters, found " + weights.size() + ": " + weights.keySet());
        }
    }

    /** The architecture. */
    public ClassifierSpec spec() {
        return spec;
    }

    /** The live parameters by canonical name (do not close them). */
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(params);
    }

    /** A copy of the weights as float arrays, by canonical name. */
    public Map<String, float[]> weights() {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    /** Marks every parameter as requiring (or not) a gradient. */
    public void setRequiresGradient(boolean requires) {
        for (NDArray a : params.values()) {
            a.setRequiresGradient(requires);
        }
    }

    /**
     * The forward pass of {@link ClassifierSpec}.
     *
     * @param x images {@code [B, channels, size, size]} in [0, 1]
     * @throws IllegalArgumentException when {@code x} has another shape
     */
    public Output forward(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != spec.channels() || s.get(2) != spec.imageSize()
                || s.get(3) != spec.imageSize()) {
            throw new IllegalArgumentException("classifier input: expected [B, " + spec.channels() + ", "
                    + spec.imageSize() + ", " + spec.imageSize() + "], found " + s);
        }
        NDArray h = x;
        for (int l = 1; l <= ClassifierSpec.CONV_LAYERS; l++) {
            NDArray w = params.get("conv" + l + ".weight");
            NDArray b = params.get("conv" + l + ".bias");
            h = spec.convStride(l) == 1 ? UnetOps.conv3(h, w, b) : UnetOps.conv3Stride2(h, w, b);
            h = Activation.relu(h);
        }
        Shape hs = h.getShape();
        NDArray features = h.reshape(hs.get(0), hs.get(1), hs.get(2) * hs.get(3)).mean(new int[] {2});
        NDArray logits = UnetOps.linear(features, params.get("head.weight"), params.get("head.bias"));
        return new Output(features, logits);
    }

    @Override
    public void close() {
        manager.close();
    }
}
