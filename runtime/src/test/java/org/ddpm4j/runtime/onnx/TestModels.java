package org.ddpm4j.runtime.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.sampling.Prediction;
import org.ddpm4j.runtime.schedule.NoiseSchedule;

/**
 * Small ONNX models written in the tests with the ONNX protobuf classes (opset 17, IR 8).
 *
 * <p>{@link #gaussianEpsilon} computes the optimal epsilon for N(mu, s^2) data in the graph:
 * eps = c1[t] (x - c2[t]) with c1 = sqrt(1 - ab) / (ab s^2 + 1 - ab) and c2 = sqrt(ab) mu, gathered by
 * timestep. {@link #convNet} is a small convolutional network for benchmarks.
 */
public final class TestModels {

    static final int FLOAT = TensorProto.DataType.FLOAT.getNumber();
    static final int INT64 = TensorProto.DataType.INT64.getNumber();
    static final int INT32 = TensorProto.DataType.INT32.getNumber();

    private TestModels() {
    }

    /** A graph input/output with dims; a negative dim is the symbolic "B". */
    static ValueInfoProto value(String name, int elemType, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("B")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape))).build();
    }

    static TensorProto floats(String name, float[] values, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(FLOAT);
        for (long d : dims) {
            t.addDims(d);
        }
        for (float v : values) {
            t.addFloatData(v);
        }
        return t.build();
    }

    static TensorProto longs(String name, long[] values, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(INT64);
        for (long d : dims) {
            t.addDims(d);
        }
        for (long v : values) {
            t.addInt64Data(v);
        }
        return t.build();
    }

    static NodeProto node(String op, String[] inputs, String output, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(output + "_" + op).addOutput(output);
        for (String i : inputs) {
            n.addInput(i);
        }
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        return n.build();
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static byte[] model(GraphProto graph, Map<String, String> metadata) {
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(8).setProducerName("ddpm4j-tests")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).setGraph(graph);
        metadata.forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build().toByteArray();
    }

    /** The contract metadata of {@code info}. */
    static Map<String, String> metadata(ModelInfo info) {
        return new LinkedHashMap<>(info.contractMetadata());
    }

    /**
     * The optimal epsilon predictor for N(mu, s^2) pixels.
     *
     * @param timestepType  INT64, INT32 or FLOAT
     * @param scalarTime    whether {@code timestep} is a scalar []
     * @param batch         declared batch dimension (-1 = dynamic)
     * @param sampleName    the image input's name (the contract says "sample")
     */
    public static byte[] gaussianEpsilon(NoiseSchedule schedule, double mu, double s, int channels, int size,
            int timestepType, boolean scalarTime, long batch, String sampleName, Map<String, String> metadata) {
        int T = schedule.timesteps();
        float[] c1 = new float[T];
        float[] c2 = new float[T];
        for (int t = 0; t < T; t++) {
            double ab = schedule.alphaBar(t);
            c1[t] = (float) (Math.sqrt(1 - ab) / (ab * s * s + 1 - ab));
            c2[t] = (float) (Math.sqrt(ab) * mu);
        }
        GraphProto.Builder g = GraphProto.newBuilder().setName("gaussian_epsilon")
                .addInput(value(sampleName, FLOAT, batch, channels, size, size))
                .addInput(scalarTime ? value("timestep", timestepType) : value("timestep", timestepType, batch))
                .addOutput(value("eps", FLOAT, batch, channels, size, size))
                .addInitializer(floats("c1", c1, T))
                .addInitializer(floats("c2", c2, T))
                .addInitializer(longs("shape4", new long[] {-1, 1, 1, 1}, 4));
        String t = "timestep";
        if (timestepType != INT64) {
            g.addNode(node("Cast", new String[] {"timestep"}, "t64", intAttr("to", INT64)));
            t = "t64";
        }
        g.addNode(node("Gather", new String[] {"c1", t}, "g1"));
        g.addNode(node("Gather", new String[] {"c2", t}, "g2"));
        g.addNode(node("Reshape", new String[] {"g1", "shape4"}, "r1"));
        g.addNode(node("Reshape", new String[] {"g2", "shape4"}, "r2"));
        g.addNode(node("Sub", new String[] {sampleName, "r2"}, "centred"));
        g.addNode(node("Mul", new String[] {"centred", "r1"}, "eps"));
        return model(g.build(), metadata);
    }

    /** The contract's Gaussian model: int64 [B] timesteps, dynamic batch, contract names. */
    public static byte[] gaussianEpsilon(ModelInfo info, double mu, double s) {
        return gaussianEpsilon(info.schedule(), mu, s, info.channels(), info.height(), INT64, false, -1, "sample",
                metadata(info));
    }

    /**
     * A small convolutional noise predictor with random weights: conv3x3(C, hidden) + time bias, ReLU,
     * {@code layers} x (conv3x3(hidden, hidden), ReLU), conv3x3(hidden, C). For benchmarks.
     */
    public static byte[] convNet(ModelInfo info, int hidden, int layers, long seed) {
        int c = info.channels();
        int h = info.height();
        SplittableRandom r = new SplittableRandom(seed);
        GraphProto.Builder g = GraphProto.newBuilder().setName("conv_net")
                .addInput(value("sample", FLOAT, -1, c, h, info.width()))
                .addInput(value("timestep", INT64, -1))
                .addOutput(value("out", FLOAT, -1, c, h, info.width()))
                .addInitializer(longs("shape4", new long[] {-1, 1, 1, 1}, 4));
        float[] tScale = {1f / info.schedule().timesteps()};
        g.addInitializer(floats("tscale", tScale));
        g.addNode(node("Cast", new String[] {"timestep"}, "tf", intAttr("to", FLOAT)));
        g.addNode(node("Mul", new String[] {"tf", "tscale"}, "tn"));
        g.addNode(node("Reshape", new String[] {"tn", "shape4"}, "tb"));
        String x = conv(g, r, "sample", c, hidden, "conv0");
        g.addNode(node("Add", new String[] {x, "tb"}, "conv0_t"));
        g.addNode(node("Relu", new String[] {"conv0_t"}, "act0"));
        x = "act0";
        for (int l = 1; l <= layers; l++) {
            String y = conv(g, r, x, hidden, hidden, "conv" + l);
            g.addNode(node("Relu", new String[] {y}, "act" + l));
            x = "act" + l;
        }
        String y = conv(g, r, x, hidden, c, "conv_out");
        g.addNode(node("Identity", new String[] {y}, "out"));
        return model(g.build(), metadata(info));
    }

    private static String conv(GraphProto.Builder g, SplittableRandom r, String in, int cin, int cout, String name) {
        float[] w = new float[cout * cin * 9];
        double scale = Math.sqrt(2.0 / (cin * 9));
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        g.addInitializer(floats(name + ".weight", w, cout, cin, 3, 3));
        g.addInitializer(floats(name + ".bias", new float[cout], cout));
        g.addNode(node("Conv", new String[] {in, name + ".weight", name + ".bias"}, name,
                ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1)));
        return name;
    }

    /** Writes {@code bytes} to {@code file}. */
    public static Path write(byte[] bytes, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        return Files.write(file, bytes);
    }

    /**
     * Writes a benchmark model: {@code TestModels OUT.onnx [size] [channels] [hidden] [layers]}.
     * Defaults: a 28x28 single-channel model, 64 hidden channels, 4 inner conv layers.
     */
    public static void main(String[] args) throws IOException {
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 28;
        int channels = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int hidden = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        int layers = args.length > 4 ? Integer.parseInt(args[4]) : 4;
        ModelInfo info = ModelInfo.of(Prediction.EPSILON, NoiseSchedule.defaultLinear(), size, size, channels, true);
        write(convNet(info, hidden, layers, 1), Path.of(args[0]));
    }
}
