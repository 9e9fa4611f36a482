package org.ddpm4j.exporter;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ddpm4j.exporter.onnx.OnnxModelFile;
import org.ddpm4j.trainer.model.UnetSpec;

/**
 * What an ONNX file holds, read at the protobuf level (no inference): metadata, inputs and outputs,
 * learnable parameter count, opset and IR version, and whether the stored weights still match the
 * {@code ddpm.weights_sha256} fingerprint written at export.
 *
 * @param file           the file
 * @param bytes          its size
 * @param irVersion      ONNX IR version
 * @param opset          default-domain opset
 * @param producer       producer name and version
 * @param metadata       {@code metadata_props}
 * @param inputs         "name type [dims]" per graph input
 * @param outputs        "name type [dims]" per graph output
 * @param parameterCount learnable values (initializers other than {@code const.*} helpers)
 * @param nodeCount      graph nodes
 * @param weightsCheck   the fingerprint check
 */
public record ModelInspection(Path file, long bytes, long irVersion, long opset, String producer,
        Map<String, String> metadata, List<String> inputs, List<String> outputs, long parameterCount, int nodeCount,
        WeightsCheck weightsCheck) {

    /** Outcome of comparing the stored weights with {@code ddpm.weights_sha256}. */
    public enum WeightsCheck {
        /** The weights hash to the recorded fingerprint. */
        MATCH,
        /** The weights changed after export. */
        MISMATCH,
        /** The file records no fingerprint or no {@code ddpm.unet} spec (not written by ddpm export). */
        NOT_RECORDED
    }

    /**
     * Reads {@code file}.
     *
     * @throws IOException when it cannot be read or is not ONNX
     */
    public static ModelInspection of(Path file) throws IOException {
        ModelProto model = OnnxModelFile.read(file);
        Map<String, String> meta = OnnxModelFile.metadata(model);
        long opset = model.getOpsetImportList().stream().filter(o -> o.getDomain().isEmpty())
                .mapToLong(o -> o.getVersion()).findFirst().orElse(-1);
        return new ModelInspection(file, java.nio.file.Files.size(file), model.getIrVersion(), opset,
                (model.getProducerName() + " " + model.getProducerVersion()).trim(), meta,
                describe(model.getGraph().getInputList()), describe(model.getGraph().getOutputList()),
                OnnxModelFile.parameterCount(model), model.getGraph().getNodeCount(), weightsCheck(model, meta));
    }

    private static WeightsCheck weightsCheck(ModelProto model, Map<String, String> meta) {
        String recorded = meta.get(ExportMetadata.WEIGHTS_SHA256);
        String unet = meta.get(ExportMetadata.UNET);
        if (recorded == null || unet == null) {
            return WeightsCheck.NOT_RECORDED;
        }
        UnetSpec spec = ExportMetadata.specFromJson(unet);
        try {
            String actual = OnnxModelFile.weightsSha256(model, spec.parameters().stream().map(UnetSpec.Param::name).toList());
            return actual.equals(recorded) ? WeightsCheck.MATCH : WeightsCheck.MISMATCH;
        } catch (IllegalArgumentException missing) {
            return WeightsCheck.MISMATCH;
        }
    }

    private static String typeName(int elemType) {
        TensorProto.DataType type = TensorProto.DataType.forNumber(elemType);
        if (type == null) {
            return "type" + elemType;
        }
        return switch (type) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            default -> type.name().toLowerCase(Locale.ROOT);
        };
    }

    private static List<String> describe(List<ValueInfoProto> values) {
        List<String> out = new ArrayList<>();
        for (ValueInfoProto v : values) {
            StringBuilder s = new StringBuilder(v.getName()).append(' ');
            var t = v.getType().getTensorType();
            s.append(typeName(t.getElemType()));
            List<String> dims = new ArrayList<>();
            for (TensorShapeProto.Dimension d : t.getShape().getDimList()) {
                dims.add(d.hasDimValue() ? Long.toString(d.getDimValue()) : d.getDimParam().isEmpty() ? "?" : d.getDimParam());
            }
            s.append(' ').append(dims);
            out.add(s.toString());
        }
        return out;
    }
}
