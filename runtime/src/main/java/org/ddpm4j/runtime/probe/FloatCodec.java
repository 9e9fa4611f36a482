package org.ddpm4j.runtime.probe;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.stream.Collectors;

/** Text encodings of numbers for metadata strings: base64 float32 little-endian, comma lists, sha256. */
public final class FloatCodec {

    private FloatCodec() {
    }

    /** Base64 of the values as float32 little-endian. */
    public static String encode(float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return Base64.getEncoder().encodeToString(buf.array());
    }

    /** The inverse of {@link #encode}; {@code what} names the key for error messages. */
    public static float[] decode(String base64, String what) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not valid base64: " + e.getMessage(), e);
        }
        if (bytes.length % 4 != 0) {
            throw new IllegalArgumentException(what + " holds " + bytes.length + " bytes, expected a multiple of 4 (float32)");
        }
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    /** "1,2,3". */
    public static String joinLongs(long[] values) {
        return Arrays.stream(values).mapToObj(Long::toString).collect(Collectors.joining(","));
    }

    /** Parses "1,2,3"; {@code what} names the key for error messages. */
    public static long[] parseLongs(String text, String what) {
        try {
            return Arrays.stream(text.split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a comma-separated list of integers, found '" + text + "'", e);
        }
    }

    /** Hex sha256 of the values as float32 little-endian. */
    public static String sha256(float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return sha256(buf.array());
    }

    /** Hex sha256 of bytes. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
