package org.ddpm4j.fid;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes tiny ONNX models for tests (graphs of one or two standard operators); shared with the tools and spark tests through the fid test jar. */
public final class TinyOnnx {

    private TinyOnnx() {
    }

    /**
     * An extractor with input {@code x} of the given shape (a negative entry is the dynamic batch "B")
     * and two outputs: {@code pooled = GlobalAveragePool(x)} [B, C, 1, 1] and {@code features = Flatten(x)}
     * [B, C*H*W], in that order; or for a non-4-D input, just {@code features = Flatten(x)}.
     */
    public static Path extractor(Path file, long[] inputShape, Map<String, String> metadata) throws IOException {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("tiny_extractor");
        g.addInput(valueInfo("x", inputShape));
        if (inputShape.length == 4) {
            g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("GlobalAveragePool").addInput("x").addOutput("pooled"));
            g.addOutput(valueInfo("pooled", new long[] {-1, inputShape[1], 1, 1}));
        }
        g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Flatten").addInput("x").addOutput("features")
                .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("axis").setI(1)
                        .setType(OnnxMl.AttributeProto.AttributeType.INT)));
        g.addOutput(valueInfo("features", new long[] {-1, -2}));
        Files.write(file, model(g, metadata).toByteArray());
        return file;
    }

    /**
     * A model that follows the ddpm4j contract and predicts epsilon = sample / 2 (no learning, but
     * deterministic given the seeds): inputs {@code sample} [B, C, H, W] float and {@code timestep}
     * [B] int64, T = 10 linear betas.
     */
    public static Path denoiser(Path file, int channels, int size) throws IOException {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("half_epsilon");
        g.addInput(valueInfo("sample", new long[] {-1, channels, size, size}));
        OnnxMl.TensorShapeProto.Builder ts = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("B"));
        g.addInput(OnnxMl.ValueInfoProto.newBuilder().setName("timestep").setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.INT64_VALUE).setShape(ts))));
        g.addInitializer(OnnxMl.TensorProto.newBuilder().setName("half")
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT_VALUE).addFloatData(0.5f));
        g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Mul").addInput("sample").addInput("half").addOutput("eps"));
        g.addOutput(valueInfo("eps", new long[] {-1, channels, size, size}));
        Files.write(file, model(g, contract(channels, size)).toByteArray());
        return file;
    }

    /**
     * A brightness classifier as a FID extractor: input {@code x} [B, 1, size, size] in [0, 1],
     * {@code features = Flatten(x)} and {@code logits} [B, 2] = {@code (0.5 - m, m - 0.5)} where m is the
     * image's mean: class 0 is "dark" (mean below 0.5), class 1 "bright".
     */
    public static Path brightnessClassifier(Path file, int size) throws IOException {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("tiny_classifier");
        g.addInput(valueInfo("x", new long[] {-1, 1, size, size}));
        g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Flatten").addInput("x").addOutput("features")
                .addAttribute(intAttribute("axis", 1)));
        g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("GlobalAveragePool").addInput("x").addOutput("pooled"));
        g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Flatten").addInput("pooled").addOutput("mean")
                .addAttribute(intAttribute("axis", 1)));
        g.addInitializer(floats("w", new long[] {1, 2}, -1f, 1f));
        g.addInitializer(floats("b", new long[] {2}, 0.5f, -0.5f));
        g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Gemm").addInput("mean").addInput("w").addInput("b")
                .addOutput("logits"));
        g.addOutput(valueInfo("features", new long[] {-1, size * size}));
        g.addOutput(valueInfo("logits", new long[] {-1, 2}));
        Files.write(file, model(g, Map.of("fid.features", "features")).toByteArray());
        return file;
    }

    /**
     * A class-conditional model of the ddpm4j contract with two classes ("dark", "bright"): inputs
     * {@code sample} [B, C, H, W], {@code timestep} [B] int64 and {@code class_label} [B] int64, and
     * epsilon = sample / 2 + 4 (1 - 2 label), T = 10 linear betas. Label 0 pushes the estimate of x0 down
     * (dark images after clipping), label 1 up (bright), the null label 2 further up.
     */
    public static Path conditionalDenoiser(Path file, int channels, int size) throws IOException {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("class_shift");
        g.addInput(valueInfo("sample", new long[] {-1, channels, size, size}));
        g.addInput(int64Batch("timestep"));
        g.addInput(int64Batch("class_label"));
        g.addInitializer(floats("half", new long[] {}, 0.5f));
        g.addInitializer(floats("minus_eight", new long[] {}, -8f));
        g.addInitializer(floats("four", new long[] {}, 4f));
        g.addInitializer(OnnxMl.TensorProto.newBuilder().setName("axes").addDims(3)
                .setDataType(OnnxMl.TensorProto.DataType.INT64_VALUE).addInt64Data(1).addInt64Data(2).addInt64Data(3));
        g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Cast").addInput("class_label").addOutput("label_f")
                .addAttribute(intAttribute("to", OnnxMl.TensorProto.DataType.FLOAT_VALUE)));
        g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Mul").addInput("label_f").addInput("minus_eight").addOutput("m2l"));
        g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Add").addInput("m2l").addInput("four").addOutput("shift"));
        g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Unsqueeze").addInput("shift").addInput("axes").addOutput("shift4"));
        g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Mul").addInput("sample").addInput("half").addOutput("halved"));
        g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Add").addInput("halved").addInput("shift4").addOutput("eps"));
        g.addOutput(valueInfo("eps", new long[] {-1, channels, size, size}));
        Map<String, String> meta = new java.util.LinkedHashMap<>(contract(channels, size));
        meta.put("ddpm.class_count", "2");
        meta.put("ddpm.class_names", "dark,bright");
        Files.write(file, model(g, meta).toByteArray());
        return file;
    }

    private static Map<String, String> contract(int channels, int size) {
        Map<String, String> meta = new java.util.LinkedHashMap<>();
        meta.put("ddpm.format", "1");
        meta.put("ddpm.prediction", "epsilon");
        meta.put("ddpm.schedule", "linear");
        meta.put("ddpm.timesteps", "10");
        meta.put("ddpm.beta_start", "0.0001");
        meta.put("ddpm.beta_end", "0.02");
        meta.put("ddpm.image_size", size + "," + size);
        meta.put("ddpm.channels", Integer.toString(channels));
        meta.put("ddpm.clip_sample", "true");
        return meta;
    }

    private static OnnxMl.ModelProto model(OnnxMl.GraphProto.Builder g, Map<String, String> metadata) {
        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("ddpm4j-test")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(g);
        metadata.forEach((k, v) -> m.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    private static OnnxMl.ValueInfoProto int64Batch(String name) {
        OnnxMl.TensorShapeProto.Builder ts = OnnxMl.TensorShapeProto.newBuilder()
                .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("B"));
        return OnnxMl.ValueInfoProto.newBuilder().setName(name).setType(OnnxMl.TypeProto.newBuilder()
                .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.INT64_VALUE).setShape(ts))).build();
    }

    private static OnnxMl.TensorProto floats(String name, long[] dims, float... values) {
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT_VALUE);
        for (long d : dims) {
            t.addDims(d);
        }
        for (float v : values) {
            t.addFloatData(v);
        }
        return t.build();
    }

    private static OnnxMl.AttributeProto intAttribute(String name, long value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setI(value)
                .setType(OnnxMl.AttributeProto.AttributeType.INT).build();
    }

    private static OnnxMl.ValueInfoProto valueInfo(String name, long[] shape) {
        OnnxMl.TensorShapeProto.Builder s = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : shape) {
            if (d == -1) {
                s.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("B"));
            } else if (d < 0) {
                s.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("D" + (-d)));
            } else {
                s.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
            }
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT_VALUE).setShape(s)))
                .build();
    }
}
