package org.ddpm4j.exporter;

import java.util.LinkedHashMap;
import java.util.Map;
import org.ddpm4j.runtime.noise.GaussianNoise;
import org.ddpm4j.trainer.model.UnetSpec;

/** Random weights with no zero layers (unlike a fresh trainer init), so every path of the net matters. */
public final class TestWeights {

    private TestWeights() {
    }

    /** Seeded weights: matrices N(0, 1/fan_in), biases N(0, 0.1^2), norm scales 1 + N(0, 0.1^2). */
    public static Map<String, float[]> random(UnetSpec spec, long seed) {
        GaussianNoise rng = new GaussianNoise(seed);
        Map<String, float[]> w = new LinkedHashMap<>();
        for (UnetSpec.Param p : spec.parameters()) {
            float[] v = new float[Math.toIntExact(p.size())];
            long[] s = p.shape();
            boolean norm = s.length == 1 && p.name().contains("norm");
            double scale;
            if (s.length == 1) {
                scale = 0.1;
            } else {
                long fanIn = 1;
                for (int i = 1; i < s.length; i++) {
                    fanIn *= s[i];
                }
                scale = 1.0 / Math.sqrt(fanIn);
            }
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((norm && p.name().endsWith(".weight") ? 1.0 : 0.0) + scale * rng.nextGaussian());
            }
            w.put(p.name(), v);
        }
        return w;
    }
}
