package org.ddpm4j.tools.fid;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Images from an IDX3 file of unsigned bytes (MNIST / Fashion-MNIST layout: magic {@code 0x00000803},
 * count, rows, columns, then the pixels), gzipped or not, streamed as one-channel images.
 */
public final class IdxImageSource implements ImageSource {

    /** Default folder of the Fashion-MNIST files. */
    public static final Path DEFAULT_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    private final Path file;
    private final DataInputStream in;
    private final int count;
    private final int rows;
    private final int cols;
    private int position;

    /**
     * Opens an IDX3 image file and reads its header.
     *
     * @throws IOException when it is missing or its header is not an IDX3 unsigned-byte header
     */
    public IdxImageSource(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "IDX image file not found");
        }
        this.file = file;
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        InputStream body = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
        this.in = new DataInputStream(body);
        try {
            int magic = in.readInt();
            if (magic != 0x00000803) {
                throw new IOException("IDX file " + file + " must start with magic 0x00000803 (3-D unsigned bytes), found 0x"
                        + String.format("%08x", magic));
            }
            count = in.readInt();
            rows = in.readInt();
            cols = in.readInt();
        } catch (IOException e) {
            in.close();
            throw e instanceof EOFException ? new IOException("IDX file " + file + " is truncated in its header", e) : e;
        }
        if (count < 0 || rows <= 0 || cols <= 0 || rows > 4096 || cols > 4096) {
            in.close();
            throw new IOException("IDX file " + file + " has an implausible shape " + count + "x" + rows + "x" + cols);
        }
    }

    /**
     * The Fashion-MNIST split {@code train} or {@code test} in {@code folder}
     * ({@code train-images-idx3-ubyte[.gz]} or {@code t10k-images-idx3-ubyte[.gz]}).
     */
    public static IdxImageSource fashionMnist(Path folder, String split) throws IOException {
        String stem = switch (split) {
            case "train" -> "train-images-idx3-ubyte";
            case "test" -> "t10k-images-idx3-ubyte";
            default -> throw new IllegalArgumentException("Fashion-MNIST split must be train or test, found '" + split + "'");
        };
        Path gz = folder.resolve(stem + ".gz");
        Path plain = folder.resolve(stem);
        if (Files.isRegularFile(gz)) {
            return new IdxImageSource(gz);
        }
        if (Files.isRegularFile(plain)) {
            return new IdxImageSource(plain);
        }
        throw new NoSuchFileException(gz.toString(), null, "Fashion-MNIST " + split + " images not found (nor " + plain + ")");
    }

    @Override
    public String description() {
        return "IDX " + file;
    }

    @Override
    public long size() {
        return count;
    }

    @Override
    public List<FidImage> next(int max) throws IOException {
        int n = Math.min(max, count - position);
        List<FidImage> out = new ArrayList<>(Math.max(0, n));
        byte[] buf = new byte[rows * cols];
        for (int k = 0; k < n; k++) {
            try {
                in.readFully(buf);
            } catch (EOFException e) {
                throw new IOException("IDX file " + file + " is truncated: header promises " + count
                        + " images, image " + position + " is incomplete", e);
            }
            float[] p = new float[buf.length];
            for (int i = 0; i < buf.length; i++) {
                p[i] = (buf[i] & 0xff) / 255f;
            }
            out.add(new FidImage(1, rows, cols, p));
            position++;
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
