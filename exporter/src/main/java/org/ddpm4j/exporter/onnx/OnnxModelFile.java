package org.ddpm4j.exporter.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading, writing and fingerprinting ONNX model files at the protobuf level. */
public final class OnnxModelFile {

    private OnnxModelFile() {
    }

    /**
     * Parses an ONNX file.
     *
     * @throws IOException when it cannot be read or is not an ONNX model
     */
    public static ModelProto read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(file + " is not an ONNX model (protobuf parse failed: " + e.getMessage() + ")", e);
        }
    }

    /** Writes {@code model} to {@code file} (not atomically: callers write to a temporary file and move it). */
    public static void write(ModelProto model, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            model.writeTo(out);
        }
    }

    /** The model's {@code metadata_props}, in file order. */
    public static Map<String, String> metadata(ModelProto model) {
        Map<String, String> m = new LinkedHashMap<>();
        for (StringStringEntryProto e : model.getMetadataPropsList()) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    /** {@code model} with {@code entries} added to (or replacing keys of) its metadata. */
    public static ModelProto withMetadata(ModelProto model, Map<String, String> entries) {
        Map<String, String> m = metadata(model);
        m.putAll(entries);
        ModelProto.Builder b = model.toBuilder().clearMetadataProps();
        m.forEach((k, v) -> b.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return b.build();
    }

    /** Initializers that are learnable weights (not {@code const.*} helpers), by name, in file order. */
    public static Map<String, TensorProto> weights(ModelProto model) {
        Map<String, TensorProto> m = new LinkedHashMap<>();
        for (TensorProto t : model.getGraph().getInitializerList()) {
            if (!t.getName().startsWith(OnnxGraphBuilder.CONSTANT_PREFIX)) {
                m.put(t.getName(), t);
            }
        }
        return m;
    }

    /** Number of learnable values. */
    public static long parameterCount(ModelProto model) {
        long n = 0;
        for (TensorProto t : weights(model).values()) {
            long size = 1;
            for (long d : t.getDimsList()) {
                size *= d;
            }
            n += size;
        }
        return n;
    }

    /**
     * sha256 (hex) over the raw data of the named initializers, concatenated in the given order.
     *
     * @throws IllegalArgumentException when a name has no initializer
     */
    public static String weightsSha256(ModelProto model, List<String> names) {
        Map<String, TensorProto> w = weights(model);
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String n : names) {
                TensorProto t = w.get(n);
                if (t == null) {
                    throw new IllegalArgumentException("The model has no initializer '" + n + "'");
                }
                md.update(t.getRawData().asReadOnlyByteBuffer());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
