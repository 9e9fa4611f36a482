package org.ddpm4j.exporter.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ddpm4j.trainer.model.UnetSpec;

/** Checks a weight map against the canonical parameters of a {@link UnetSpec}. */
public final class WeightCheck {

    private WeightCheck() {
    }

    /**
     * Refuses weights that do not match the spec: every missing name, every tensor whose value count
     * (or declared shape, when {@code shapes} has it) differs from the spec, every non-finite tensor,
     * and every name the spec does not know, all in one message.
     *
     * @param spec    the architecture
     * @param weights values by canonical name
     * @param shapes  declared shapes by name (may be empty; used for a sharper message and check)
     * @param source  what the weights came from, for the message (a file or checkpoint)
     * @throws IllegalArgumentException listing every offending name
     */
    public static void check(UnetSpec spec, Map<String, float[]> weights, Map<String, long[]> shapes, String source) {
        List<String> problems = new ArrayList<>();
        Set<String> known = new HashSet<>();
        for (UnetSpec.Param p : spec.parameters()) {
            known.add(p.name());
            float[] v = weights.get(p.name());
            long[] declared = shapes.get(p.name());
            if (v == null) {
                problems.add(p.name() + " (missing, expected " + Arrays.toString(p.shape()) + ")");
            } else if (declared != null && !Arrays.equals(declared, p.shape())) {
                problems.add(p.name() + " (shape " + Arrays.toString(declared) + ", expected " + Arrays.toString(p.shape()) + ")");
            } else if (v.length != p.size()) {
                problems.add(p.name() + " (" + v.length + " values, expected " + Arrays.toString(p.shape()) + " = " + p.size() + ")");
            } else if (!allFinite(v)) {
                problems.add(p.name() + " (contains NaN or infinity)");
            }
        }
        List<String> unexpected = weights.keySet().stream().filter(n -> !known.contains(n)).sorted().toList();
        for (String n : unexpected) {
            problems.add(n + " (not a parameter of this UNet)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Weights of " + source + " do not match the UNet spec ("
                    + problems.size() + " offending tensor" + (problems.size() == 1 ? "" : "s") + "): "
                    + String.join(", ", problems));
        }
    }

    private static boolean allFinite(float[] v) {
        for (float f : v) {
            if (!Float.isFinite(f)) {
                return false;
            }
        }
        return true;
    }
}
