package org.ddpm4j.exporter.classifier;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import java.util.Map;
import org.ddpm4j.exporter.onnx.OnnxGraphBuilder;
import org.ddpm4j.trainer.classifier.ClassifierModel;
import org.ddpm4j.trainer.classifier.ClassifierSpec;

/**
 * Writes the {@link ClassifierSpec} forward pass as ONNX nodes: Conv + Relu per conv layer,
 * GlobalAveragePool, Flatten (the {@value #FEATURES} output), Gemm with transB = 1 (the
 * {@value #LOGITS} output). The input {@value #INPUT} is {@code [batch, C, S, S]} with a dynamic batch.
 */
public final class ClassifierGraph {

    /** Name of the image input. */
    public static final String INPUT = "image";
    /** Name of the feature output (the penultimate activations). */
    public static final String FEATURES = "features";
    /** Name of the class-score output. */
    public static final String LOGITS = "logits";

    private ClassifierGraph() {
    }

    /**
     * Adds the classifier's graph, inputs and outputs to {@code g} and builds the model.
     *
     * @throws IllegalArgumentException when a weight is missing or has the wrong size
     */
    public static ModelProto write(ClassifierSpec spec, Map<String, float[]> weights, OnnxGraphBuilder g) {
        ClassifierModel.checkWeights(spec, weights);
        long s = spec.imageSize();
        String h = g.input(INPUT, DataType.FLOAT, "batch", (long) spec.channels(), s, s);
        for (int l = 1; l <= ClassifierSpec.CONV_LAYERS; l++) {
            String w = weight(g, spec, weights, "conv" + l + ".weight");
            String b = weight(g, spec, weights, "conv" + l + ".bias");
            int stride = spec.convStride(l);
            h = g.node("Conv", "conv" + l).inputs(h, w, b)
                    .ints("kernel_shape", 3, 3).ints("pads", 1, 1, 1, 1).ints("strides", stride, stride).build();
            h = g.node("Relu", "conv" + l + ".relu").inputs(h).build();
        }
        String pooled = g.node("GlobalAveragePool", "pool").inputs(h).build();
        String features = g.node("Flatten", FEATURES).inputs(pooled).attr("axis", 1L).build();
        String hw = weight(g, spec, weights, "head.weight");
        String hb = weight(g, spec, weights, "head.bias");
        String logits = g.node("Gemm", LOGITS).inputs(features, hw, hb).attr("transB", 1L).build();
        g.output(features, DataType.FLOAT, "batch", (long) spec.featureDim());
        g.output(logits, DataType.FLOAT, "batch", (long) spec.classes());
        return g.build();
    }

    private static String weight(OnnxGraphBuilder g, ClassifierSpec spec, Map<String, float[]> weights, String name) {
        ClassifierSpec.Param p = spec.parameters().stream().filter(q -> q.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("spec has no parameter " + name));
        return g.weight(name, weights.get(name), p.shape());
    }
}
