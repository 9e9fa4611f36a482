package org.ddpm4j.tools;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.ddpm4j.runtime.schedule.NoiseSchedule;

/**
 * A tiny noise predictor written with the ONNX protobuf classes, as a user's own export would look:
 * eps = c1[t] (sample - c2[t]), the optimal epsilon for N(mu, s^2) pixels (mu = 0.1, s = 0.5).
 */
final class GaussianOnnx {

    private GaussianOnnx() {
    }

    static Path write(Path file, NoiseSchedule schedule, int channels, int size, String sampleName,
            Map<String, String> metadata) throws IOException {
        int t = schedule.timesteps();
        TensorProto.Builder c1 = TensorProto.newBuilder().setName("c1").setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(t);
        TensorProto.Builder c2 = TensorProto.newBuilder().setName("c2").setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addDims(t);
        for (int i = 0; i < t; i++) {
            double ab = schedule.alphaBar(i);
            c1.addFloatData((float) (Math.sqrt(1 - ab) / (ab * 0.25 + 1 - ab)));
            c2.addFloatData((float) (Math.sqrt(ab) * 0.1));
        }
        TensorProto shape = TensorProto.newBuilder().setName("shape4").setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(4).addInt64Data(-1).addInt64Data(1).addInt64Data(1).addInt64Data(1).build();
        GraphProto g = GraphProto.newBuilder().setName("user_unet")
                .addInput(value(sampleName, TensorProto.DataType.FLOAT_VALUE, -1, channels, size, size))
                .addInput(value("timestep", TensorProto.DataType.INT64_VALUE, -1))
                .addOutput(value("noise_pred", TensorProto.DataType.FLOAT_VALUE, -1, channels, size, size))
                .addInitializer(c1).addInitializer(c2).addInitializer(shape)
                .addNode(node("Gather", "g1", "c1", "timestep"))
                .addNode(node("Gather", "g2", "c2", "timestep"))
                .addNode(node("Reshape", "r1", "g1", "shape4"))
                .addNode(node("Reshape", "r2", "g2", "shape4"))
                .addNode(node("Sub", "d", sampleName, "r2"))
                .addNode(node("Mul", "noise_pred", "d", "r1"))
                .build();
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(8).setProducerName("pytorch-like")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).setGraph(g);
        metadata.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        Files.createDirectories(file.toAbsolutePath().getParent());
        return Files.write(file, m.build().toByteArray());
    }

    private static ValueInfoProto value(String name, int type, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) {
            s.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type).setShape(s))).build();
    }

    private static NodeProto node(String op, String out, String... in) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(out).addOutput(out);
        for (String i : in) {
            n.addInput(i);
        }
        return n.build();
    }
}
