package org.ddpm4j.trainer.data;

/**
 * Training images already brought to the model's size and channels, kept as bytes 0..255 in
 * {@code [C, H, W]} order per image.
 */
public final class ImageDataset {

    private final String description;
    private final int channels;
    private final int size;
    private final byte[][] images;
    private final int skipped;

    /**
     * @param description where the images came from, for logs and checkpoints
     * @param channels    1 or 3
     * @param size        height and width
     * @param images      one {@code C*size*size} byte array per image
     * @param skipped     files that could not be read
     */
    public ImageDataset(String description, int channels, int size, byte[][] images, int skipped) {
        if (images.length == 0) {
            throw new IllegalArgumentException("data set " + description + " holds no images");
        }
        for (byte[] img : images) {
            if (img.length != channels * size * size) {
                throw new IllegalArgumentException("every image must hold " + channels * size * size
                        + " bytes, found " + img.length);
            }
        }
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
