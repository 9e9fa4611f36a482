package org.ddpm4j.spark;

import java.io.Serializable;
import org.ddpm4j.runtime.onnx.Device;

/**
 * How the FID job measures sets: the same options, with the same defaults, as {@code ddpm fid}.
 *
 * @param extractor     the feature extractor ONNX file, any Hadoop path
 * @param featureOutput the extractor's feature output, null for its {@code fid.features} metadata or first output
 * @param limit         at most this many images per set, 0 for all (model and noise sets: their n, else 1000)
 * @param batch         images per extractor call, and per sampling call for model sets
 * @param fashionMnist  the local folder of the Fashion-MNIST IDX files (read by the driver)
 * @param device        where model samples are drawn on tasks without a GPU resource: cpu, cuda[:id] or auto
 * @param partitions    Spark partitions per set, 0 for the context's default parallelism
 */
public record FidSettings(String extractor, String featureOutput, long limit, int batch, String fashionMnist,
        String device, int partitions) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Checks the values. */
    public FidSettings {
        if (limit < 0) {
            throw new IllegalArgumentException("-n must be 0 (all images) or positive, found " + limit);
        }
        if (batch <= 0) {
            throw new IllegalArgumentException("--batch must be at least 1, found " + batch);
        }
        if (partitions < 0) {
            throw new IllegalArgumentException("--partitions must be 0 (Spark's default parallelism) or more, found "
                    + partitions);
        }
        Device.parse(device);
    }
}
