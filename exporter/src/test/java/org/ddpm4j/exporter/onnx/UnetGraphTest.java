package org.ddpm4j.exporter.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.ddpm4j.exporter.TestWeights;
import org.ddpm4j.exporter.ExportMetadata;
import org.ddpm4j.runtime.onnx.OnnxDenoiser;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.ddpm4j.runtime.probe.Probe;
import org.ddpm4j.runtime.probe.ProbeResult;
import org.ddpm4j.trainer.model.UnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnetGraphTest {

    /** Three levels, two blocks, attention at two resolutions, three channels: every path of the graph. */
    private static final UnetSpec WIDE = new UnetSpec(16, 3, 3, 16, List.of(1, 2, 2), 2, List.of(16, 4), 4, 0.0, 1e-5);

    @TempDir
    Path dir;

    private float[] onnx(UnetSpec spec, Map<String, float[]> weights, float[] x, long[] t) throws Exception {
        Path file = dir.resolve("m.onnx");
        OnnxGraphBuilder g = new OnnxGraphBuilder("test").metadata(ExportMetadata.contract(spec, NoiseSchedule.defaultLinear(), true));
        OnnxModelFile.write(UnetGraph.write(spec, weights, g), file);
        float[] out = new float[x.length];
        try (OnnxDenoiser m = OnnxDenoiser.open(file, OnnxOptions.DEFAULTS)) {
            m.predict(x, t, out);
        }
        return out;
    }

    private void matchesNaiveJava(UnetSpec spec) throws Exception {
        Map<String, float[]> w = TestWeights.random(spec, 5);
        long[] t = {0, 500, 999, 123};
        float[] x = Probe.inputs(new long[] {1, 2, 3, 4}, spec.inChannels() * spec.imageSize() * spec.imageSize());
        float[] expected = new float[x.length];
        new ReferenceUnet(spec, w).predict(x, t, expected);
        float[] actual = onnx(spec, w, x, t);
        double err = ProbeResult.maxAbsError(actual, expected);
        double scale = ProbeResult.maxAbsError(expected, new float[expected.length]);
        System.out.printf("%s: ONNX vs naive Java max abs error %.3e (outputs up to %.2f)%n", spec, err, scale);
        assertTrue(scale > 0.1, "outputs should not be trivial");
        assertTrue(err <= 1e-4, "max abs error " + err);
    }

    @Test
    void tinyGraphMatchesTheNaiveJavaForwardPass() throws Exception {
        matchesNaiveJava(UnetSpec.preset("tiny"));
    }

    @Test
    void wideGraphMatchesTheNaiveJavaForwardPass() throws Exception {
        matchesNaiveJava(WIDE);
    }

    @Test
    void bottomRightDownsamplingPaddingMatchesTheNaiveJavaForwardPass() throws Exception {
        matchesNaiveJava(WIDE.withDownsamplePadding(UnetSpec.PAD_BOTTOM_RIGHT).withNormEps(1e-6));
    }

    @Test
    void theTwoDownsamplingPaddingsComputeDifferentFunctions() throws Exception {
        UnetSpec spec = UnetSpec.preset("tiny");
        Map<String, float[]> w = TestWeights.random(spec, 5);
        long[] t = {10};
        float[] x = Probe.inputs(new long[] {1}, spec.imageSize() * spec.imageSize());
        float[] symmetric = onnx(spec, w, x, t);
        float[] bottomRight = onnx(spec.withDownsamplePadding(UnetSpec.PAD_BOTTOM_RIGHT), w, x, t);
        assertTrue(ProbeResult.maxAbsError(symmetric, bottomRight) > 1e-2, "padding must change the output");
    }

    @Test
    void batchIsDynamicAndImagesIndependent() throws Exception {
        UnetSpec spec = UnetSpec.preset("tiny");
        Map<String, float[]> w = TestWeights.random(spec, 6);
        int per = spec.imageSize() * spec.imageSize();
        float[] x = Probe.inputs(new long[] {11, 12, 13}, per);
        float[] all = onnx(spec, w, x, new long[] {10, 20, 30});
        float[] second = onnx(spec, w, java.util.Arrays.copyOfRange(x, per, 2 * per), new long[] {20});
        assertArrayEquals(java.util.Arrays.copyOfRange(all, per, 2 * per), second, 1e-5f);
    }

    @Test
    void graphUsesOpset17Ir8CanonicalNamesAndUniqueNodes() {
        ModelProto m = UnetGraph.write(WIDE, TestWeights.random(WIDE, 7), WeightPrecision.FP32);
        assertEquals(8, m.getIrVersion());
        assertEquals(17, m.getOpsetImport(0).getVersion());
        Set<String> weights = m.getGraph().getInitializerList().stream().map(TensorProto::getName)
                .filter(n -> !n.startsWith(OnnxGraphBuilder.CONSTANT_PREFIX)).collect(Collectors.toSet());
        assertEquals(WIDE.parameters().stream().map(UnetSpec.Param::name).collect(Collectors.toSet()), weights);
        assertEquals(WIDE.parameterCount(), OnnxModelFile.parameterCount(m));
        Set<String> nodes = new HashSet<>();
        for (NodeProto n : m.getGraph().getNodeList()) {
            assertTrue(nodes.add(n.getName()), "duplicate node " + n.getName());
        }
        Set<String> ops = m.getGraph().getNodeList().stream().map(NodeProto::getOpType).collect(Collectors.toSet());
        assertTrue(ops.containsAll(Set.of("Conv", "Gemm", "InstanceNormalization", "Sigmoid", "MatMul", "Softmax",
                "Resize", "Concat", "Sin", "Cos", "Cast")), ops.toString());
        assertEquals("batch", m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        assertEquals(List.of("sample", "timestep"), m.getGraph().getInputList().stream().map(v -> v.getName()).toList());
        assertEquals("prediction", m.getGraph().getOutput(0).getName());
    }

    @Test
    void fp16StoresHalfPrecisionWeightsCastToFloat() {
        UnetSpec spec = UnetSpec.preset("tiny");
        ModelProto m = UnetGraph.write(spec, TestWeights.random(spec, 8), WeightPrecision.FP16);
        for (TensorProto t : m.getGraph().getInitializerList()) {
            if (!t.getName().startsWith(OnnxGraphBuilder.CONSTANT_PREFIX)) {
                assertEquals(TensorProto.DataType.FLOAT16_VALUE, t.getDataType(), t.getName());
            }
        }
        assertEquals(TensorProto.DataType.FLOAT_VALUE, m.getGraph().getInput(0).getType().getTensorType().getElemType());
        assertEquals(TensorProto.DataType.FLOAT_VALUE, m.getGraph().getOutput(0).getType().getTensorType().getElemType());
    }

    @Test
    void float16ConversionRoundsToNearestEven() {
        assertEquals((short) 0x3c00, Float16.fromFloat(1f));
        assertEquals((short) 0xc000, Float16.fromFloat(-2f));
        assertEquals((short) 0x7bff, Float16.fromFloat(65504f));
        assertEquals((short) 0x7c00, Float16.fromFloat(65520f));
        assertEquals((short) 0x0001, Float16.fromFloat(0x1p-24f));
        assertEquals((short) 0x3555, Float16.fromFloat(1f / 3));
        assertEquals((short) 0x3c00, Float16.fromFloat(1f + 0x1p-11f)); // tie -> even
        assertEquals((short) 0x3c02, Float16.fromFloat(1f + 3 * 0x1p-11f)); // tie -> even (up)
        for (float v : new float[] {0.1f, -3.75f, 1e-5f, 1234.5f}) {
            float back = Float16.toFloat(Float16.fromFloat(v));
            assertTrue(Math.abs(back - v) <= Math.abs(v) * 0x1p-11f + 0x1p-25f, v + " -> " + back);
        }
        assertTrue(Float.isNaN(Float16.toFloat(Float16.fromFloat(Float.NaN))));
    }
}
