package org.ddpm4j.runtime.io;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Reads an IDX image file (MNIST, Fashion-MNIST), gzip-compressed or not. */
public final class IdxImages {

    /** The IDX magic number of unsigned-byte 3-dimensional data. */
    public static final int MAGIC_IMAGES = 0x00000803;

    private IdxImages() {
    }

    /** The raw images of an IDX file: {@code count} images of {@code rows x cols} bytes. */
    public record Raw(int count, int rows, int cols, byte[][] images) {
    }

    /** Reads every image of {@code file}. */
    public static Raw read(Path file) throws IOException {
        try (DataInputStream data = open(file)) {
            int magic = data.readInt();
            if (magic != MAGIC_IMAGES) {
                throw new IOException("IDX image file " + file + ": expected magic 0x00000803, found 0x"
                        + String.format("%08x", magic));
            }
            int count = data.readInt();
            int rows = data.readInt();
            int cols = data.readInt();
            if (count <= 0 || rows <= 0 || cols <= 0 || rows > 4096 || cols > 4096) {
                throw new IOException("IDX image file " + file + ": implausible header " + count + " x "
                        + rows + " x " + cols);
            }
            byte[][] images = new byte[count][rows * cols];
            for (int i = 0; i < count; i++) {
                try {
                    data.readFully(images[i]);
                } catch (EOFException e) {
                    throw new IOException("IDX image file " + file + " is truncated: header says " + count
                            + " images, found only " + i, e);
                }
            }
            return new Raw(count, rows, cols, images);
        } catch (java.util.zip.ZipException e) {
            throw new IOException("IDX image file " + file + " is not valid gzip: " + e.getMessage(), e);
        } catch (EOFException e) {
            throw new IOException("IDX image file " + file + " is truncated (header incomplete)", e);
        }
    }

    /** Magic number of an IDX label file (unsigned bytes, one dimension). */
    public static final int MAGIC_LABELS = 0x00000801;

    /** Reads an IDX label file (gzip-compressed or not): one label 0..255 per image. */
    public static int[] readLabels(Path file) throws IOException {
        try (DataInputStream data = open(file)) {
            int magic = data.readInt();
            if (magic != MAGIC_LABELS) {
                throw new IOException("IDX label file " + file + ": expected magic 0x00000801, found 0x"
                        + String.format("%08x", magic));
            }
            int count = data.readInt();
            if (count <= 0) {
                throw new IOException("IDX label file " + file + ": implausible count " + count);
            }
            byte[] bytes = new byte[count];
            try {
                data.readFully(bytes);
            } catch (EOFException e) {
                throw new IOException("IDX label file " + file + " is truncated: header says " + count + " labels", e);
            }
            int[] out = new int[count];
            for (int i = 0; i < count; i++) {
                out[i] = bytes[i] & 0xff;
            }
            return out;
        } catch (java.util.zip.ZipException e) {
            throw new IOException("IDX label file " + file + " is not valid gzip: " + e.getMessage(), e);
        } catch (EOFException e) {
            throw new IOException("IDX label file " + file + " is truncated (header incomplete)", e);
        }
    }

    /** Opens an IDX file, unzipping it when it starts with the gzip magic bytes. */
    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
            return new DataInputStream(new BufferedInputStream(in, 1 << 16));
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }
}
