package org.ddpm4j.exporter.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes an ONNX model (IR version {@value #IR_VERSION}, default-domain opset {@value #OPSET}) one
 * node at a time. Every value and node gets a unique, readable name: a node's single output is named
 * like the node itself. Initializers are stored as raw little-endian data.
 *
 * <pre>{@code
 * OnnxGraphBuilder g = new OnnxGraphBuilder("unet");
 * String x = g.input("sample", DataType.FLOAT, "batch", 1L, 32L, 32L);
 * String w = g.weight("in.conv.weight", values, new long[] {32, 1, 3, 3});
 * String y = g.node("Conv", "in.conv").inputs(x, w).ints("pads", 1, 1, 1, 1).build();
 * g.output(y, DataType.FLOAT, "batch", 32L, 32L, 32L);
 * ModelProto model = g.build();
 * }</pre>
 */
public final class OnnxGraphBuilder {

    /** ONNX IR version written. */
    public static final int IR_VERSION = 8;
    /** Opset version of the default domain. */
    public static final int OPSET = 17;
    /** Prefix of initializers that are helper constants rather than learnable weights. */
    public static final String CONSTANT_PREFIX = "const.";

    private final String graphName;
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final Map<String, String> constants = new LinkedHashMap<>();
    private WeightPrecision precision = WeightPrecision.FP32;
    private String docString = "";

    /** A builder for a graph called {@code graphName}. */
    public OnnxGraphBuilder(String graphName) {
        this.graphName = graphName;
    }

    /** How {@link #weight} stores learnable tensors (float32 by default). */
    public OnnxGraphBuilder precision(WeightPrecision precision) {
        this.precision = precision;
        return this;
    }

    /** The model's doc string. */
    public OnnxGraphBuilder docString(String text) {
        this.docString = text;
        return this;
    }

    /** Adds a {@code metadata_props} entry (later calls with the same key replace earlier ones). */
    public OnnxGraphBuilder metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds all entries of {@code entries} to {@code metadata_props}. */
    public OnnxGraphBuilder metadata(Map<String, String> entries) {
        metadata.putAll(entries);
        return this;
    }

    /**
     * Declares a graph input. Each dimension is a {@code Long} (fixed) or a {@code String}
     * (symbolic, e.g. {@code "batch"}).
     */
    public String input(String name, DataType type, Object... dims) {
        claim(name);
        graph.addInput(valueInfo(name, type, dims));
        return name;
    }

    /** Declares an existing value as a graph output, with its type and shape. */
    public void output(String name, DataType type, Object... dims) {
        if (!names.contains(name)) {
            throw new IllegalArgumentException("Unknown value '" + name + "' cannot be a graph output");
        }
        graph.addOutput(valueInfo(name, type, dims));
    }

    /**
     * Adds a learnable tensor as an initializer, stored at this builder's precision. Returns the
     * name of the float32 value to use: the initializer itself for float32, the output of its
     * {@code Cast} node for float16.
     */
    public String weight(String name, float[] values, long[] shape) {
        checkSize(name, values.length, shape);
        if (precision == WeightPrecision.FP32) {
            return floatInitializer(name, values, shape);
        }
        claim(name);
        ByteBuffer buf = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putShort(Float16.fromFloat(v));
        }
        buf.flip();
        graph.addInitializer(tensor(name, DataType.FLOAT16, shape, ByteString.copyFrom(buf)));
        return node("Cast", name + ".fp32").inputs(name).attr("to", DataType.FLOAT_VALUE).build();
    }

    /** Adds a float32 initializer (always float32, whatever the precision). */
    public String floatInitializer(String name, float[] values, long[] shape) {
        checkSize(name, values.length, shape);
        claim(name);
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        graph.addInitializer(tensor(name, DataType.FLOAT, shape, ByteString.copyFrom(buf)));
        return name;
    }

    /**
     * A float32 helper constant, named {@code const.<label>}; identical constants are stored once.
     */
    public String constant(String label, float[] values, long... shape) {
        String key = "f" + Arrays.toString(shape) + Arrays.toString(values);
        String existing = constants.get(key);
        if (existing != null) {
            return existing;
        }
        String name = floatInitializer(unique(CONSTANT_PREFIX + label), values, shape);
        constants.put(key, name);
        return name;
    }

    /** A 1-D int64 helper constant, named {@code const.<label>}; identical constants are stored once. */
    public String constantInts(String label, long... values) {
        String key = "i" + Arrays.toString(values);
        String existing = constants.get(key);
        if (existing != null) {
            return existing;
        }
        String name = unique(CONSTANT_PREFIX + label);
        claim(name);
        ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.asLongBuffer().put(values);
        graph.addInitializer(tensor(name, DataType.INT64, new long[] {values.length}, ByteString.copyFrom(buf)));
        constants.put(key, name);
        return name;
    }

    /** Starts a node of operator {@code opType}; its name (and single output's name) is {@code name}, made unique. */
    public NodeBuilder node(String opType, String name) {
        return new NodeBuilder(opType, unique(name));
    }

    /** {@code base} if unused, otherwise {@code base_2}, {@code base_3}, ... */
    public String unique(String base) {
        if (!names.contains(base)) {
            return base;
        }
        for (int i = 2; ; i++) {
            String candidate = base + "_" + i;
            if (!names.contains(candidate)) {
                return candidate;
            }
        }
    }

    /** The finished model: IR 8, opset 17, the graph, and the metadata. */
    public ModelProto build() {
        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("ddpm4j")
                .setProducerVersion("0.1.0")
                .setDomain("org.ddpm4j")
                .setModelVersion(1)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph.clone().setName(graphName));
        if (!docString.isEmpty()) {
            model.setDocString(docString);
        }
        metadata.forEach((k, v) -> model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return model.build();
    }

    private void claim(String name) {
        if (!names.add(name)) {
            throw new IllegalArgumentException("Duplicate ONNX value name '" + name + "'");
        }
    }

    private static void checkSize(String name, int length, long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != length) {
            throw new IllegalArgumentException("Tensor '" + name + "' has " + length + " values, its shape "
                    + Arrays.toString(shape) + " needs " + n);
        }
    }

    private static TensorProto tensor(String name, DataType type, long[] shape, ByteString raw) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber()).setRawData(raw);
        for (long d : shape) {
            t.addDims(d);
        }
        return t.build();
    }

    private static ValueInfoProto valueInfo(String name, DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            if (d instanceof String s) {
                shape.addDimBuilder().setDimParam(s);
            } else if (d instanceof Number n) {
                shape.addDimBuilder().setDimValue(n.longValue());
            } else {
                throw new IllegalArgumentException("A dimension is a Long or a String, found " + d);
            }
        }
        return ValueInfoProto.newBuilder().setName(name)
                .setType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
                .build();
    }

    /** One node under construction: inputs, attributes, then {@link #build()} or {@link #build(int)}. */
    public final class NodeBuilder {
        private final NodeProto.Builder node;
        private final String name;

        private NodeBuilder(String opType, String name) {
            this.name = name;
            this.node = NodeProto.newBuilder().setOpType(opType).setName(name);
        }

        /** Appends inputs ({@code ""} for an omitted optional input). */
        public NodeBuilder inputs(String... values) {
            for (String v : values) {
                if (!v.isEmpty() && !names.contains(v)) {
                    throw new IllegalArgumentException("Node '" + name + "' reads unknown value '" + v + "'");
                }
                node.addInput(v);
            }
            return this;
        }

        /** An integer attribute. */
        public NodeBuilder attr(String key, long value) {
            node.addAttribute(AttributeProto.newBuilder().setName(key).setType(AttributeType.INT).setI(value));
            return this;
        }

        /** A float attribute. */
        public NodeBuilder attr(String key, float value) {
            node.addAttribute(AttributeProto.newBuilder().setName(key).setType(AttributeType.FLOAT).setF(value));
            return this;
        }

        /** A string attribute. */
        public NodeBuilder attr(String key, String value) {
            node.addAttribute(AttributeProto.newBuilder().setName(key).setType(AttributeType.STRING)
                    .setS(ByteString.copyFromUtf8(value)));
            return this;
        }

        /** An integer-list attribute. */
        public NodeBuilder ints(String key, long... values) {
            AttributeProto.Builder a = AttributeProto.newBuilder().setName(key).setType(AttributeType.INTS);
            for (long v : values) {
                a.addInts(v);
            }
            node.addAttribute(a);
            return this;
        }

        /** Adds the node with one output, named like the node, and returns that name. */
        public String build() {
            return build(1).get(0);
        }

        /** Adds the node with {@code count} outputs ({@code name}, or {@code name.0 ...} when several). */
        public List<String> build(int count) {
            List<String> outs = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String out = count == 1 ? name : unique(name + "." + i);
                claim(out);
                node.addOutput(out);
                outs.add(out);
            }
            graph.addNode(node);
            return outs;
        }
    }
}
