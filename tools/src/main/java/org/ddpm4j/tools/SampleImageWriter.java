package org.ddpm4j.tools;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.runtime.pipeline.SampleFiles;

/**
 * Writes {@code ddpm sample}'s PNGs batch by batch, as each batch is drawn: a full disk or a folder that
 * went away stops the run at the first failed write (naming the file) instead of after every image is
 * drawn, and the images already written stay.
 */
final class SampleImageWriter implements DiffusionPipeline.BatchListener {

    /** The file name prefix of each image. */
    static final String PREFIX = "sample-";

    private final Path folder;
    private final String modelSha256;
    private final Map<String, String> settings;
    private final long total;
    private final List<Path> written = new ArrayList<>();

    /**
     * @param folder      where the images go, or null to write none
     * @param modelSha256 the model's hash, written into every PNG
     * @param settings    the settings written into every PNG ({@link SampleFiles#settingsText})
     * @param total       the run's image count (the width of every name's index)
     */
    SampleImageWriter(Path folder, String modelSha256, Map<String, String> settings, long total) {
        this.folder = folder;
        this.total = total;
        this.modelSha256 = modelSha256;
        this.settings = settings;
    }

    @Override
    public void onBatch(DiffusionPipeline.Batch batch) throws IOException {
        if (folder != null) {
            written.addAll(SampleFiles.writeImages(batch.result(), batch.firstImage(), total, folder, PREFIX,
                    modelSha256, settings));
        }
    }

    /** The files written so far, in image order. */
    List<Path> written() {
        return List.copyOf(written);
    }
}
