package org.ddpm4j.fid;

import java.io.IOException;
import java.util.List;

/** A stream of images to measure: read in batches, once. */
public interface ImageSource extends AutoCloseable {

    /** What the images are, for messages and the statistics' source field. */
    String description();

    /** How many images the source holds, or -1 when unknown in advance. */
    long size();

    /**
     * The next images, at most {@code max}; an empty list at the end.
     *
     * @throws IOException when an image cannot be read or decoded (the message names it)
     */
    List<FidImage> next(int max) throws IOException;

    /**
     * The number of classes the images' labels ({@link FidImage#label()}) come from, or 0 when the
     * images are not drawn for classes.
     */
    default int classCount() {
        return 0;
    }

    @Override
    default void close() throws IOException {
    }
}
