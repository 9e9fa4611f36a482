package org.ddpm4j.fid;

import java.io.IOException;

/** Opens the images drawn from a model for an {@link ImageSet.ModelSamples} set. */
@FunctionalInterface
public interface SampleSourceFactory {

    /**
     * Opens a source of {@code count} samples drawn as {@code spec} says.
     *
     * @param batch images generated per denoiser batch
     */
    ImageSource open(ImageSet.ModelSamples spec, int count, int batch) throws IOException;
}
