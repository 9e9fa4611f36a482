package org.ddpm4j.trainer.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes float32 tensors in the safetensors format: an 8-byte little-endian header
 * length, a JSON header {@code {name: {dtype, shape, data_offsets}, "__metadata__": {..}}}, then
 * the raw little-endian data.
 */
public final class SafeTensors {

    /** The header key of the free-form string metadata. */
    public static final String METADATA = "__metadata__";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {
    }

    /** One float32 tensor. */
    public record Tensor(long[] shape, float[] data) {
        public Tensor {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n
                        + " values, found " + data.length);
            }
        }
    }

    /** The tensors of a file (in file order) and its metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    }

    /**
     * Writes {@code tensors} (in map order) and {@code metadata} (sorted by key, so equal contents give
     * equal bytes whatever map the caller passes: {@code Map.of} iterates in an order that changes from
     * one JVM to the next) to {@code file} (not atomically: write into a temp folder).
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA);
            new java.util.TreeMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            ArrayNode shape = t.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            long bytes = 4L * e.getValue().data().length;
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] head = Arrays.copyOf(json, padded);
        Arrays.fill(head, json.length, padded, (byte) ' ');
        try (OutputStream os = Files.newOutputStream(file)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            os.write(len.array());
            os.write(head);
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : tensors.values()) {
                for (float v : t.data()) {
                    if (!buf.hasRemaining()) {
                        os.write(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    buf.putFloat(v);
                }
            }
            os.write(buf.array(), 0, buf.position());
        }
    }

    /**
     * Reads a file written by {@link #write} (or any safetensors file holding only F32 tensors).
     *
     * @throws IOException naming the file and what is wrong with it (truncated, bad header, offsets)
     */
    public static Contents read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString());
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw bad(file, "only " + size + " bytes, too short for the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || headerLen > size - 8) {
                throw bad(file, "header length " + headerLen + " does not fit a file of " + size + " bytes (truncated?)");
            }
            ByteBuffer headBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headBuf, 8);
            JsonNode header;
            try {
                header = JSON.readTree(new String(headBuf.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw bad(file, "the JSON header does not parse: " + e.getMessage());
            }
            if (header == null || !header.isObject()) {
                throw bad(file, "the header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                JsonNode node = e.getValue();
                if (name.equals(METADATA)) {
                    node.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                String dtype = node.path("dtype").asText("");
                if (!dtype.equals("F32")) {
                    throw bad(file, "tensor " + name + " has dtype '" + dtype + "', expected F32");
                }
                JsonNode shapeNode = node.path("shape");
                JsonNode offs = node.path("data_offsets");
                if (!shapeNode.isArray() || !offs.isArray() || offs.size() != 2) {
                    throw bad(file, "tensor " + name + " lacks a shape array or a [begin, end] data_offsets pair");
                }
                long[] shape = new long[shapeNode.size()];
                long n = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeNode.get(i).asLong(-1);
                    if (shape[i] < 0) {
                        throw bad(file, "tensor " + name + " has a negative or non-numeric dimension");
                    }
                    n *= shape[i];
                }
                long begin = offs.get(0).asLong(-1);
                long end = offs.get(1).asLong(-1);
                if (begin < 0 || end < begin || end - begin != 4 * n) {
                    throw bad(file, "tensor " + name + " has data_offsets [" + begin + ", " + end + "] that do not hold "
                            + n + " float32 values of shape " + Arrays.toString(shape));
                }
                if (end > dataLen) {
                    throw bad(file, "tensor " + name + " ends at byte " + end + " of the data but the file holds only "
                            + dataLen + " data bytes (truncated?)");
                }
                ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, data, dataStart + begin);
                data.flip();
                float[] values = new float[(int) n];
                data.asFloatBuffer().get(values);
                tensors.put(name, new Tensor(shape, values));
            }
            return new Contents(tensors, metadata);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += r;
        }
    }

    private static IOException bad(Path file, String what) {
        return new IOException("corrupt safetensors file " + file + ": " + what);
    }
}
