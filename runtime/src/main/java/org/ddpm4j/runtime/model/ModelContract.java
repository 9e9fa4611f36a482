package org.ddpm4j.runtime.model;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a graph's declared inputs and outputs against the contract and a model's metadata:
 * input {@code sample} float32 [B, C, H, W], input {@code timestep} int64 [B] (or int32 / float32,
 * or a scalar []), first output float32 [B, C, H, W]; a class-conditional model ({@code ddpm.class_count}
 * present) also has input {@code class_label} int64 [B] (or int32). Dynamic dimensions (-1) match anything.
 */
public final class ModelContract {

    private static final Set<String> TIMESTEP_TYPES = Set.of("int64", "int32", "float32");
    private static final Set<String> LABEL_TYPES = Set.of("int64", "int32");

    private ModelContract() {
    }

    /**
     * Validates the graph.
     *
     * @param inputs  the graph inputs, in order
     * @param outputs the graph outputs, in order (the first is the prediction)
     * @param info    the parsed metadata (for C, H, W)
     * @param source  the file's name for messages
     * @throws ModelContractException naming what was expected and what was found
     */
    public static ModelSignature validate(List<TensorSpec> inputs, List<TensorSpec> outputs, ModelInfo info,
            String source) {
        String expectedImage = "float32 [B, " + info.channels() + ", " + info.height() + ", " + info.width() + "]";
        TensorSpec sample = find(inputs, MetadataKeys.INPUT_SAMPLE, expectedImage, source);
        TensorSpec timestep = find(inputs, MetadataKeys.INPUT_TIMESTEP, "int64 [B]", source);
        boolean conditional = info.classCount().isPresent();
        for (TensorSpec in : inputs) {
            boolean label = in.name().equals(MetadataKeys.INPUT_CLASS_LABEL);
            if (label && !conditional) {
                throw new ModelContractException(source + ": the graph has a 'class_label' input but no "
                        + MetadataKeys.CLASS_COUNT + " metadata; add it with: ddpm adopt --class-count K");
            }
            if (!label && !in.name().equals(MetadataKeys.INPUT_SAMPLE) && !in.name().equals(MetadataKeys.INPUT_TIMESTEP)) {
                throw new ModelContractException(source + ": unexpected input " + in + "; the contract has exactly"
                        + " the inputs 'sample' and 'timestep'" + (conditional ? " and 'class_label'" : ""));
            }
        }
        String labelType = null;
        if (conditional) {
            TensorSpec label = find(inputs, MetadataKeys.INPUT_CLASS_LABEL, "int64 [B], for "
                    + MetadataKeys.CLASS_COUNT + "=" + info.classCount().getAsInt(), source);
            if (!LABEL_TYPES.contains(label.elementType()) || label.rank() != 1) {
                throw new ModelContractException(source + ": input 'class_label' must be int64 [B] (or int32 [B]),"
                        + " found " + label);
            }
            labelType = label.elementType();
        }
        checkImage(sample, "input 'sample'", expectedImage, info, source);
        if (!TIMESTEP_TYPES.contains(timestep.elementType()) || timestep.rank() > 1) {
            throw new ModelContractException(source + ": input 'timestep' must be int64 [B] (or int32/float32,"
                    + " [B] or scalar []), found " + timestep);
        }
        if (outputs.isEmpty()) {
            throw new ModelContractException(source + ": the graph has no output, expected " + expectedImage);
        }
        TensorSpec out = outputs.get(0);
        checkImage(out, "first output '" + out.name() + "'", expectedImage, info, source);
        return new ModelSignature(sample, new TimestepEncoding(timestep.elementType(), timestep.rank() == 0),
                out.name(), out, labelType);
    }

    private static TensorSpec find(List<TensorSpec> specs, String name, String expected, String source) {
        return specs.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() ->
                new ModelContractException(source + ": the graph has no input '" + name + "' (" + expected
                        + "); found inputs: " + describe(specs)
                        + ". Rename the inputs when exporting (torch.onnx.export input_names=['sample', 'timestep'])"));
    }

    private static void checkImage(TensorSpec t, String what, String expected, ModelInfo info, String source) {
        long[] want = {-1, info.channels(), info.height(), info.width()};
        boolean ok = t.elementType().equals("float32") && t.rank() == 4;
        for (int i = 1; ok && i < 4; i++) {
            ok = t.dim(i) < 0 || t.dim(i) == want[i];
        }
        if (!ok) {
            throw new ModelContractException(source + ": " + what + " must be " + expected
                    + " (from ddpm.channels and ddpm.image_size), found " + t);
        }
    }

    /** Lists specs for messages: {@code x float32 [-1, 1, 28, 28], t int64 [-1]}. */
    public static String describe(List<TensorSpec> specs) {
        return specs.isEmpty() ? "(none)" : specs.stream().map(TensorSpec::toString).collect(Collectors.joining(", "));
    }
}
