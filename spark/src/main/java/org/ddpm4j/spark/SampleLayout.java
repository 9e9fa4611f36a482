package org.ddpm4j.spark;

import java.io.Serializable;
import org.ddpm4j.runtime.pipeline.SampleFiles;

/**
 * Where image k of a run of n goes: {@code sample-<k>-seed<s>.png}, k zero-padded to the width of the last
 * index (at least 4 digits, so runs of up to 10,000 images keep {@code ddpm sample}'s names), so names sort by
 * index at any n; runs of more than {@code shardSize} images (default {@value #SHARD_SIZE}) are split into
 * sub-folders of that many, named by their first index, padded the same way, so no folder grows past that and
 * every path sorts by index.
 *
 * @param count     the run's image count
 * @param shardSize the most images in one folder ({@value #SHARD_SIZE} by default)
 */
public record SampleLayout(long count, int shardSize) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The most images in one folder. */
    public static final int SHARD_SIZE = 10_000;

    /** Checks the count and shard size. */
    public SampleLayout {
        if (count < 1) {
            throw new IllegalArgumentException("expected at least 1 image, found " + count);
        }
        if (shardSize < 1) {
            throw new IllegalArgumentException("expected at least 1 image per folder, found " + shardSize);
        }
    }

    /** The layout of {@code count} images with {@value #SHARD_SIZE} per folder. */
    public SampleLayout(long count) {
        this(count, SHARD_SIZE);
    }

    /** Digits of each index: those of the last, at least 4, as {@code ddpm sample} names them. */
    public int width() {
        return SampleFiles.indexWidth(count);
    }

    /** Whether images go to sub-folders. */
    public boolean sharded() {
        return count > shardSize;
    }

    /** The file name of image {@code index} drawn with {@code seed}. */
    public String fileName(String prefix, long index, long seed) {
        return SampleFiles.imageFileName(prefix, index, seed, count);
    }

    /** The sub-folder of image {@code index}, or null when the run is not sharded. */
    public String shard(long index) {
        return sharded() ? pad(index / shardSize * shardSize) : null;
    }

    /** The path of image {@code index} relative to the output folder. */
    public String relativePath(String prefix, long index, long seed) {
        String name = fileName(prefix, index, seed);
        return sharded() ? shard(index) + "/" + name : name;
    }

    private String pad(long index) {
        String digits = Long.toString(index);
        return "0".repeat(Math.max(0, width() - digits.length())) + digits;
    }
}
