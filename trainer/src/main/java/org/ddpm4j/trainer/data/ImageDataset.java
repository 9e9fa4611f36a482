package org.ddpm4j.trainer.data;

import java.util.List;

/**
 * Training images already brought to the model's size and channels, kept as bytes 0..255 in
 * {@code [C, H, W]} order per image, with a class label per image when the source has them.
 */
public final class ImageDataset {

    private final String description;
    private final int channels;
    private final int size;
    private final byte[][] images;
    private final int skipped;
    private final int[] labels;
    private final List<String> classNames;

    /** Unlabelled images: see {@link #ImageDataset(String, int, int, byte[][], int, int[], List)}. */
    public ImageDataset(String description, int channels, int size, byte[][] images, int skipped) {
        this(description, channels, size, images, skipped, null, List.of());
    }

    /**
     * @param description where the images came from, for logs and checkpoints
     * @param channels    1 or 3
     * @param size        height and width
     * @param images      one {@code C*size*size} byte array per image
     * @param skipped     files that could not be read
     * @param labels      the class of each image, 0..K-1 (null for unlabelled images)
     * @param classNames  the K class names in label order (empty when {@code labels} is null)
     */
    public ImageDataset(String description, int channels, int size, byte[][] images, int skipped, int[] labels,
            List<String> classNames) {
        if (images.length == 0) {
            throw new IllegalArgumentException("data set " + description + " holds no images");
        }
        for (byte[] img : images) {
            if (img.length != channels * size * size) {
                throw new IllegalArgumentException("every image must hold " + channels * size * size
                        + " bytes, found " + img.length);
            }
        }
        if (labels != null) {
            if (labels.length != images.length) {
                throw new IllegalArgumentException("data set " + description + ": " + images.length + " images but "
                        + labels.length + " labels");
            }
            for (int l : labels) {
                if (l < 0 || l >= classNames.size()) {
                    throw new IllegalArgumentException("data set " + description + ": label " + l
                            + " is out of range for " + classNames.size() + " classes " + classNames);
                }
            }
        }
        this.labels = labels == null ? null : labels.clone();
        this.classNames = labels == null ? List.of() : List.copyOf(classNames);
        this.description = description;
        this.channels = channels;
        this.size = size;
        this.images = images;
        this.skipped = skipped;
    }

    /** Where the images came from. */
    public String description() {
        return description;
    }

    /** Number of images. */
    public int size() {
        return images.length;
    }

    /** Image channels. */
    public int channels() {
        return channels;
    }

    /** Height and width. */
    public int imageSize() {
        return size;
    }

    /** Files skipped because they could not be read. */
    public int skipped() {
        return skipped;
    }

    /** Whether every image has a class label. */
    public boolean hasLabels() {
        return labels != null;
    }

    /** The class label of image {@code index} (only when {@link #hasLabels()}). */
    public int label(int index) {
        return labels[index];
    }

    /** The number of classes K (0 for unlabelled images). */
    public int classCount() {
        return classNames.size();
    }

    /** The class names in label order (empty for unlabelled images). */
    public List<String> classNames() {
        return classNames;
    }

    /**
     * Writes image {@code index} scaled to [-1, 1] into {@code dst} at {@code offset}
     * ({@code C*H*W} values), mirrored left-right when {@code flip}.
     */
    public void read(int index, boolean flip, float[] dst, int offset) {
        byte[] img = images[index];
        int s = size;
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < s; y++) {
                int row = (c * s + y) * s;
                for (int x = 0; x < s; x++) {
                    int src = row + (flip ? s - 1 - x : x);
                    dst[offset + row + x] = (img[src] & 0xff) / 127.5f - 1f;
                }
            }
        }
    }
}
