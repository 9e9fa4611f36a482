package org.ddpm4j.trainer.train;

import org.ddpm4j.trainer.data.ImageDataset;

/** Small synthetic data sets for tests. */
final class TestData {

    private TestData() {
    }

    /** {@code n} gray {@code size x size} images: bright rectangles of varying place and size on black. */
    static ImageDataset rectangles(int n, int size) {
        byte[][] imgs = new byte[n][size * size];
        for (int i = 0; i < n; i++) {
            int x0 = i % 4 * size / 8;
            int y0 = i / 4 % 4 * size / 8;
            int w = size / 4 + i % 3 * size / 8;
            for (int y = y0; y < Math.min(size, y0 + w); y++) {
                for (int x = x0; x < Math.min(size, x0 + w); x++) {
                    imgs[i][y * size + x] = (byte) 220;
                }
            }
        }
        return new ImageDataset("synthetic rectangles", 1, size, imgs, 0);
    }
}
