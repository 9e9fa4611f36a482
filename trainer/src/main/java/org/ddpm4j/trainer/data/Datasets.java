package org.ddpm4j.trainer.data;

import org.ddpm4j.runtime.io.IdxImages;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Opens training data: Fashion-MNIST IDX files, or a folder of PNG/JPEG/GIF/BMP images at any
 * depth (for example TinyImageNet's {@code train/<class>/images/*.JPEG}).
 *
 * <p>Class labels come along where the source has them: an IDX image file's label file next to it
 * ({@code train-labels-idx1-ubyte[.gz]} beside {@code train-images-idx3-ubyte[.gz]}; Fashion-MNIST's
 * ten names when the data set is named {@code fashion-mnist} or its path says "fashion", the digits
 * otherwise), and for a folder the first folder level below it (every image must sit in one; the
 * folder names, sorted, are the class names).
 */
public final class Datasets {

    /** The name that selects the installed Fashion-MNIST. */
    public static final String FASHION_MNIST = "fashion-mnist";
    /** Where Fashion-MNIST is looked for by default. */
    public static final Path DEFAULT_FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** Environment variable naming the Fashion-MNIST folder (the same one {@code ddpm fid} reads). */
    public static final String FASHION_MNIST_ENV = "DDPM_FASHION_MNIST";

    /** The Fashion-MNIST folder: {@code $DDPM_FASHION_MNIST} when set, else {@link #DEFAULT_FASHION_MNIST_DIR}. */
    public static Path fashionMnistDir() {
        String env = System.getenv(FASHION_MNIST_ENV);
        return env != null && !env.isBlank() ? Path.of(env) : DEFAULT_FASHION_MNIST_DIR;
    }
    /** Image file extensions read from folders (lower case). */
    public static final List<String> IMAGE_EXTENSIONS = List.of("png", "jpg", "jpeg", "gif", "bmp");

    private static final String[] IDX_NAMES = {"train-images-idx3-ubyte.gz", "train-images-idx3-ubyte",
            "train-images.idx3-ubyte"};
    private static final int NAMED_SKIPS = 5;

    /** Fashion-MNIST's ten class names, in label order. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of("t-shirt/top", "trouser", "pullover", "dress",
            "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot");

    private Datasets() {
    }

    /**
     * Opens {@code data} for a model of {@code size x size} images with {@code channels} channels.
     *
     * @param data     {@code fashion-mnist}, a folder holding IDX files, an IDX file, or an image folder
     * @param progress told the number of files done so far (may be null)
     * @throws IOException naming the place looked at when nothing usable is there
     */
    public static ImageDataset open(String data, int size, int channels, IntConsumer progress) throws IOException {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images need 1 or 3 channels, found " + channels);
        }
        Path path;
        if (FASHION_MNIST.equalsIgnoreCase(data.trim())) {
            path = fashionMnistDir();
            if (findIdx(path) == null) {
                throw new IOException("Fashion-MNIST not found: looked for " + String.join(" or ", IDX_NAMES)
                        + " in " + path + "; install it with 'apt-get install dataset-fashion-mnist', set $"
                        + FASHION_MNIST_ENV + ", or pass --data <folder with the IDX files>");
            }
        } else {
            path = Path.of(data);
        }
        if (!Files.exists(path)) {
            throw new IOException("data set not found: " + path.toAbsolutePath() + " does not exist");
        }
        if (Files.isRegularFile(path)) {
            return fromIdx(path, size, channels);
        }
        Path idx = findIdx(path);
        if (idx != null) {
            return fromIdx(idx, size, channels);
        }
        return fromFolder(path, size, channels, progress);
    }

    private static Path findIdx(Path dir) {
        for (String name : IDX_NAMES) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Fashion-MNIST style IDX images: 28x28 padded to 32x32 with the background value (0), kept at
     * 28, or resized to other sizes; gray copied to every channel.
     */
    public static ImageDataset fromIdx(Path file, int size, int channels) throws IOException {
        IdxImages.Raw raw = IdxImages.read(file);
        int[] labels = null;
        List<String> names = List.of();
        Path labelFile = labelFileFor(file);
        if (labelFile != null) {
            labels = IdxImages.readLabels(labelFile);
            if (labels.length != raw.count()) {
                throw new IOException(labelFile + " has " + labels.length + " labels but " + file + " has "
                        + raw.count() + " images");
            }
            int max = 0;
            for (int l : labels) {
                max = Math.max(max, l);
            }
            boolean fashion = file.toAbsolutePath().toString().toLowerCase(Locale.ROOT).contains("fashion")
                    && max < FASHION_MNIST_CLASSES.size();
            if (fashion) {
                names = FASHION_MNIST_CLASSES;
            } else {
                List<String> digits = new ArrayList<>();
                for (int i = 0; i <= max; i++) {
                    digits.add(Integer.toString(i));
                }
                names = digits;
            }
        }
        byte[][] out = new byte[raw.count()][];
        int pad = size - raw.rows();
        boolean padOnly = raw.rows() == raw.cols() && pad >= 0 && pad <= 8 && pad % 2 == 0;
        IntStream.range(0, raw.count()).parallel().forEach(i -> {
            byte[] gray = padOnly ? pad(raw.images()[i], raw.rows(), size)
                    : ImageResizer.resizeCrop(ImageResizer.grayImage(raw.images()[i], raw.rows(), raw.cols()), size, 1);
            out[i] = channels == 1 ? gray : replicate(gray, channels);
        });
        return new ImageDataset(file.toString(), channels, size, out, 0, labels, names);
    }

    /** The IDX label file beside an image file ("images-idx3" read as "labels-idx1"), or null. */
    static Path labelFileFor(Path images) {
        String name = images.getFileName().toString();
        String base = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
        String labels = base.replace("images-idx3", "labels-idx1").replace("images.idx3", "labels.idx1");
        if (labels.equals(base)) {
            return null;
        }
        for (String candidate : new String[] {labels + ".gz", labels}) {
            Path p = images.resolveSibling(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static byte[] pad(byte[] img, int side, int size) {
        if (side == size) {
            return img;
        }
        byte[] out = new byte[size * size];
        int off = (size - side) / 2;
        for (int y = 0; y < side; y++) {
            System.arraycopy(img, y * side, out, (y + off) * size + off, side);
        }
        return out;
    }

    private static byte[] replicate(byte[] gray, int channels) {
        byte[] out = new byte[gray.length * channels];
        for (int c = 0; c < channels; c++) {
            System.arraycopy(gray, 0, out, c * gray.length, gray.length);
        }
        return out;
    }

    /** Every image file under {@code dir} (any depth), in sorted path order. */
    public static List<Path> listImages(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isRegularFile).filter(Datasets::isImage).forEach(files::add);
        }
        Collections.sort(files);
        return files;
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /**
     * Decodes every image under {@code dir}, resized and centre-cropped to {@code size}. Files that
     * cannot be decoded are skipped and counted; the first few are named on standard error.
     */
    public static ImageDataset fromFolder(Path dir, int size, int channels, IntConsumer progress) throws IOException {
        List<Path> files = listImages(dir);
        if (files.isEmpty()) {
            throw new IOException("no images found in " + dir.toAbsolutePath() + " (looked for "
                    + String.join("/", IMAGE_EXTENSIONS) + " files at any depth, and for Fashion-MNIST "
                    + IDX_NAMES[0] + ")");
        }
        long bytes = (long) files.size() * channels * size * size;
        long heap = Runtime.getRuntime().maxMemory();
        if (bytes > heap * 3 / 4) {
            throw new IOException(files.size() + " images of " + channels + "x" + size + "x" + size + " need "
                    + (bytes >> 20) + " MiB of heap, more than 3/4 of the " + (heap >> 20)
                    + " MiB available; raise -Xmx (DDPM_JAVA_OPTS) or use a smaller folder");
        }
        byte[][] decoded = new byte[files.size()][];
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger done = new AtomicInteger();
        IntStream.range(0, files.size()).parallel().forEach(i -> {
            Path f = files.get(i);
            try {
                BufferedImage img = ImageIO.read(f.toFile());
                if (img == null) {
                    failures.add(f + " (not a readable image)");
                } else {
                    decoded[i] = ImageResizer.resizeCrop(img, size, channels);
                }
            } catch (IOException | RuntimeException e) {
                failures.add(f + " (" + e.getMessage() + ")");
            }
            int n = done.incrementAndGet();
            if (progress != null) {
                progress.accept(n);
            }
        });
        List<String> classNames = folderClasses(dir, files);
        List<byte[]> ok = new ArrayList<>();
        List<Integer> okLabels = new ArrayList<>();
        for (int i = 0; i < decoded.length; i++) {
            if (decoded[i] != null) {
                ok.add(decoded[i]);
                if (classNames != null) {
                    okLabels.add(classNames.indexOf(dir.relativize(files.get(i)).getName(0).toString()));
                }
            }
        }
        if (!failures.isEmpty()) {
            Collections.sort(failures);
            System.err.println("skipped " + failures.size() + " unreadable file(s) of " + files.size() + " in " + dir
                    + ", e.g. " + String.join("; ", failures.subList(0, Math.min(NAMED_SKIPS, failures.size()))));
        }
        if (ok.isEmpty()) {
            throw new IOException("none of the " + files.size() + " image files in " + dir.toAbsolutePath()
                    + " could be read, e.g. " + failures.get(0));
        }
        int[] labels = classNames == null ? null : okLabels.stream().mapToInt(Integer::intValue).toArray();
        return new ImageDataset(dir.toString(), channels, size, ok.toArray(new byte[0][]), failures.size(), labels,
                classNames == null ? List.of() : classNames);
    }

    /** The sorted first-level folder names when every file sits below one, else null (no classes). */
    static List<String> folderClasses(Path dir, List<Path> files) {
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        for (Path f : files) {
            Path rel = dir.relativize(f);
            if (rel.getNameCount() < 2) {
                return null;
            }
            names.add(rel.getName(0).toString());
        }
        return List.copyOf(names);
    }
}
