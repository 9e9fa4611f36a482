package org.ddpm4j.fid;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.ddpm4j.runtime.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * Reads and writes {@link FeatureStatistics} as a {@code .fidstats} file.
 *
 * <p>Layout (all integers and doubles little-endian):
 * <pre>
 *   magic        8 bytes   ASCII "DDPMFIDS"
 *   version      int32     1
 *   headerLength int32     length in bytes of the JSON header that follows
 *   header       UTF-8 JSON {"dim": D, "count": N, "extractor": "...", "source": "...",
 *                           "layout": "mean f64[D], covariance upper triangle row-major f64[D(D+1)/2]"}
 *   mean         D float64
 *   covariance   D(D+1)/2 float64, upper triangle (i &lt;= j) row by row
 *   crc32        uint32    CRC-32 of every byte before it
 * </pre>
 * Reading checks the magic, version, header, exact length and checksum, and says which one failed.
 * Writing is atomic (temporary file, then rename).
 */
public final class FidStatsFile {

    /** The first 8 bytes of every statistics file. */
    public static final String MAGIC = "DDPMFIDS";
    /** The format version this class writes and reads. */
    public static final int VERSION = 1;
    /** The usual file name extension. */
    public static final String EXTENSION = ".fidstats";

    private static final String LAYOUT = "mean f64[D], covariance upper triangle row-major f64[D(D+1)/2]";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_HEADER = 1 << 20;

    private FidStatsFile() {
    }

    /** Whether {@code file} starts with the statistics magic (false for folders and unreadable files). */
    public static boolean looksLikeStats(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(MAGIC.length());
            return MAGIC.equals(new String(head, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return false;
        }
    }

    /** Writes {@code stats} to {@code file} atomically. */
    public static void write(FeatureStatistics stats, Path file) throws IOException {
        int dim = stats.dim();
        ObjectNode header = JSON.createObjectNode();
        header.put("dim", dim);
        header.put("count", stats.count());
        header.put("extractor", stats.extractor());
        header.put("source", stats.source());
        header.put("layout", LAYOUT);
        byte[] headerBytes = JSON.writeValueAsBytes(header);
        long triangle = (long) dim * (dim + 1) / 2;
        long total = 8 + 4 + 4 + headerBytes.length + 8L * (dim + triangle) + 4;
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("feature dimension " + dim + " is too large for a statistics file");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC.getBytes(StandardCharsets.ISO_8859_1));
        buf.putInt(VERSION);
        buf.putInt(headerBytes.length);
        buf.put(headerBytes);
        for (double m : stats.mean()) {
            buf.putDouble(m);
        }
        double[] cov = stats.covariance();
        for (int i = 0; i < dim; i++) {
            for (int j = i; j < dim; j++) {
                buf.putDouble(cov[i * dim + j]);
            }
        }
        CRC32 crc = new CRC32();
        crc.update(buf.array(), 0, buf.position());
        buf.putInt((int) crc.getValue());

        AtomicFiles.write(file, buf.array());
    }

    /**
     * Reads statistics written by {@link #write}.
     *
     * @throws IOException with a message naming the file and what is wrong with it (not a statistics file,
     *                     unsupported version, truncated, bad header, checksum mismatch)
     */
    public static FeatureStatistics read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 16) {
            throw corrupt(file, "is too short to be a FID statistics file: expected at least 16 bytes, found "
                    + bytes.length);
        }
        String magic = new String(bytes, 0, 8, StandardCharsets.ISO_8859_1);
        if (!MAGIC.equals(magic)) {
            throw corrupt(file, "is not a FID statistics file: expected it to start with '" + MAGIC + "', found '"
                    + printable(magic) + "'");
        }
        buf.position(8);
        int version = buf.getInt();
        if (version != VERSION) {
            throw corrupt(file, "has FID statistics format version " + version + ", this build reads version "
                    + VERSION);
        }
        int headerLength = buf.getInt();
        if (headerLength <= 0 || headerLength > MAX_HEADER || headerLength > bytes.length - 16) {
            throw corrupt(file, "is corrupt or truncated: header length " + headerLength + " does not fit in "
                    + bytes.length + " bytes");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(bytes, 16, headerLength, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw corrupt(file, "is corrupt: its header is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (header == null || !header.path("dim").canConvertToInt() || !header.path("count").canConvertToLong()
                || !header.path("dim").isIntegralNumber() || !header.path("count").isIntegralNumber()) {
            throw corrupt(file, "is corrupt: its header lacks integer 'dim' and 'count', found " + header);
        }
        int dim = header.get("dim").intValue();
        long count = header.get("count").longValue();
        if (dim <= 0 || dim > 65536) {
            throw corrupt(file, "is corrupt: feature dimension must be 1..65536, found " + dim);
        }
        long triangle = (long) dim * (dim + 1) / 2;
        long expected = 16L + headerLength + 8L * (dim + triangle) + 4;
        if (bytes.length != expected) {
            throw corrupt(file, (bytes.length < expected ? "is truncated" : "is corrupt (trailing bytes)")
                    + ": expected " + expected + " bytes for dimension " + dim + ", found " + bytes.length);
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (stored != (int) crc.getValue()) {
            throw corrupt(file, String.format("is corrupt: checksum mismatch (stored CRC-32 %08x, computed %08x)",
                    stored, (int) crc.getValue()));
        }
        buf.position(16 + headerLength);
        double[] mean = new double[dim];
        for (int i = 0; i < dim; i++) {
            mean[i] = buf.getDouble();
        }
        double[] cov = new double[dim * dim];
        for (int i = 0; i < dim; i++) {
            for (int j = i; j < dim; j++) {
                double v = buf.getDouble();
                cov[i * dim + j] = v;
                cov[j * dim + i] = v;
            }
        }
        try {
            return new FeatureStatistics(count, mean, cov, header.path("extractor").asText(""),
                    header.path("source").asText(""));
        } catch (IllegalArgumentException e) {
            throw corrupt(file, "holds invalid statistics: " + e.getMessage());
        }
    }

    private static IOException corrupt(Path file, String what) {
        return new IOException(file + " " + what);
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c >= 32 && c < 127 ? c : '?');
        }
        return b.toString();
    }
}
