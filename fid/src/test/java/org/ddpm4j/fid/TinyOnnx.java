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
        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("ddpm4j-test")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(g);
        metadata.forEach((k, v) -> m.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        Files.write(file, m.build().toByteArray());
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
        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("ddpm4j-test")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(g);
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
        meta.forEach((k, v) -> m.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        Files.write(file, m.build().toByteArray());
        return file;
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
