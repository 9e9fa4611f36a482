package org.ddpm4j.trainer.classifier;

import java.util.SplittableRandom;

/** Separable synthetic labelled images for tests. */
public final class SyntheticLabeled {

    private SyntheticLabeled() {
    }

    /**
     * {@code n} gray {@code size x size} images of 4 classes: class k has a bright square in quadrant
     * k (top-left, top-right, bottom-left, bottom-right) at a jittered place, over uniform noise.
     */
    public static LabeledImages quadrants(int n, int size, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[][] imgs = new byte[n][size * size];
        int[] labels = new int[n];
        int half = size / 2;
        int side = Math.max(2, half / 2);
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(4);
            labels[i] = k;
            for (int p = 0; p < size * size; p++) {
                imgs[i][p] = (byte) r.nextInt(90);
            }
            int x0 = (k % 2) * half + r.nextInt(half - side + 1);
            int y0 = (k / 2) * half + r.nextInt(half - side + 1);
            for (int y = y0; y < y0 + side; y++) {
                for (int x = x0; x < x0 + side; x++) {
                    imgs[i][y * size + x] = (byte) 230;
                }
            }
        }
        return new LabeledImages("synthetic quadrants", size, size, imgs, labels);
    }
}
