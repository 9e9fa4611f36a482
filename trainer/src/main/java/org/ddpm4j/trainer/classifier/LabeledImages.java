package org.ddpm4j.trainer.classifier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ddpm4j.runtime.io.IdxImages;

/**
 * Gray images with class labels, as read from IDX files (Fashion-MNIST).
 *
 * @param description where they came from, for messages
 * @param height      image height
 * @param width       image width
 * @param images      one {@code height x width} byte array per image (unsigned pixel values)
 * @param labels      the class of each image
 */
public record LabeledImages(String description, int height, int width, byte[][] images, int[] labels) {

    /** Which half of a data set. */
    public enum Split {
        /** The training images (Fashion-MNIST: 60,000). */
        TRAIN("train"),
        /** The test images (Fashion-MNIST: 10,000). */
        TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        /** File name prefix of this split ({@code train} or {@code t10k}). */
        public String prefix() {
            return prefix;
        }
    }

    /** Checks that every image has a label and the right size. */
    public LabeledImages {
        if (images.length != labels.length) {
            throw new IllegalArgumentException(description + ": " + images.length + " images but " + labels.length
                    + " labels");
        }
        for (byte[] img : images) {
            if (img.length != height * width) {
                throw new IllegalArgumentException(description + ": expected images of " + height + "x" + width
                        + " = " + height * width + " bytes, found " + img.length);
            }
        }
    }

    /** Number of images. */
    public int size() {
        return images.length;
    }

    /** The largest label plus one. */
    public int classCount() {
        int max = -1;
        for (int l : labels) {
            max = Math.max(max, l);
        }
        return max + 1;
    }

    /** Image {@code index} scaled to [0, 1], written into {@code dst} from {@code offset}. */
    public void read(int index, float[] dst, int offset) {
        byte[] img = images[index];
        for (int i = 0; i < img.length; i++) {
            dst[offset + i] = (img[i] & 0xff) / 255f;
        }
    }

    /**
     * Reads one split of an IDX folder: {@code <prefix>-images-idx3-ubyte[.gz]} and
     * {@code <prefix>-labels-idx1-ubyte[.gz]} (prefix {@code train} or {@code t10k}).
     *
     * @throws IOException naming the files looked for when they are missing, or what is wrong with them
     */
    public static LabeledImages readIdx(Path dir, Split split) throws IOException {
        Path images = find(dir, split.prefix() + "-images-idx3-ubyte");
        Path labels = find(dir, split.prefix() + "-labels-idx1-ubyte");
        IdxImages.Raw raw = IdxImages.read(images);
        int[] l = IdxImages.readLabels(labels);
        if (l.length != raw.count()) {
            throw new IOException(labels + " has " + l.length + " labels but " + images + " has " + raw.count()
                    + " images");
        }
        return new LabeledImages(images.toString(), raw.rows(), raw.cols(), raw.images(), l);
    }

    private static Path find(Path dir, String base) throws IOException {
        for (String name : new String[] {base + ".gz", base}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IOException("IDX file not found: looked for " + base + ".gz or " + base + " in "
                + dir.toAbsolutePath());
    }
}
