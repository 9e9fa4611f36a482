package org.ddpm4j.fid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.ddpm4j.runtime.io.IdxImages;

/**
 * Images from an IDX3 file of unsigned bytes (MNIST / Fashion-MNIST layout: magic {@code 0x00000803},
 * count, rows, columns, then the pixels), gzipped or not, served as one-channel images in [0, 1].
 *
 * <p>The file is read and checked by the runtime's {@link IdxImages} (one IDX reader for the project):
 * a bad magic number, an implausible shape, invalid gzip or a truncated file fail when the source is
 * opened, with a message naming the file.
 */
public final class IdxImageSource implements ImageSource {

    /** Default folder of the Fashion-MNIST files. */
    public static final Path DEFAULT_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    private final Path file;
    private final IdxImages.Raw raw;
    private int position;

    /**
     * Opens an IDX3 image file and reads it.
     *
     * @throws NoSuchFileException when it is missing
     * @throws IOException when it is not a complete IDX3 unsigned-byte image file
     */
    public IdxImageSource(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "IDX image file not found");
        }
        this.file = file;
        this.raw = IdxImages.read(file);
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

    /** Every image of the file, as read (for callers that distribute them, such as the Spark FID job). */
    public IdxImages.Raw raw() {
        return raw;
    }

    @Override
    public String description() {
        return "IDX " + file;
    }

    @Override
    public long size() {
        return raw.count();
    }

    @Override
    public List<FidImage> next(int max) {
        int n = Math.max(0, Math.min(max, raw.count() - position));
        List<FidImage> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            out.add(image(raw.images()[position++], raw.rows(), raw.cols()));
        }
        return out;
    }

    /** One gray IDX image ({@code rows * cols} unsigned bytes) as an image in [0, 1]. */
    public static FidImage image(byte[] bytes, int rows, int cols) {
        float[] p = new float[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            p[i] = (bytes[i] & 0xff) / 255f;
        }
        return new FidImage(1, rows, cols, p);
    }

    @Override
    public void close() {
        // everything was read when the source was opened
    }
}
