package org.ddpm4j.fid;

import java.io.IOException;
import java.util.List;

/**
 * Computes feature statistics of image sets and the FID between two of them.
 *
 * <pre>{@code
 * try (FeatureExtractor ex = OnnxFeatureExtractor.open(Path.of("classifier.onnx"), "features")) {
 *     FidEvaluator fid = FidEvaluator.builder().optExtractor(ex).optLimit(1000).build();
 *     double d = fid.fid(ImageSet.parse("samples/", mnist), ImageSet.parse("fashion-mnist-test", mnist)).fid();
 * }
 * }</pre>
 */
public final class FidEvaluator {

    /** Samples drawn from a model (or noise images) when a set says neither {@code n} nor a limit is given. */
    public static final int DEFAULT_SAMPLE_COUNT = 1000;
    /** The {@link SetMeasurement#accuracyNote()} of images that were not drawn for classes. */
    public static final String NOT_DRAWN_FOR_CLASSES = "images not drawn for classes";

    private final FeatureExtractor extractor;
    private final int batchSize;
    private final long limit;
    private final FidProgress progress;
    private final SampleSourceFactory samples;

    private FidEvaluator(Builder b) {
        this.extractor = b.extractor;
        this.batchSize = b.batchSize;
        this.limit = b.limit;
        this.progress = b.progress;
        this.samples = b.samples;
    }

    /** A builder; {@link Builder#optExtractor} is needed for anything but saved statistics. */
    public static Builder builder() {
        return new Builder();
    }

    /** The extractor, or null. */
    public FeatureExtractor extractor() {
        return extractor;
    }

    /** FID between two sets (statistics files are read, everything else is computed). */
    public FrechetDistance.Result fid(ImageSet a, ImageSet b) throws IOException {
        return FrechetDistance.between(statistics(a), statistics(b));
    }

    /**
     * The statistics of a set: read from a statistics file, or computed from (at most the limit of) its images.
     *
     * @throws IOException              when images or files cannot be read
     * @throws IllegalArgumentException when no extractor was given for a set of images, or a set is unusable
     */
    public FeatureStatistics statistics(ImageSet set) throws IOException {
        if (set instanceof ImageSet.Stats s) {
            FeatureStatistics stats = FidStatsFile.read(s.file());
            if (extractor != null && !stats.extractor().isEmpty() && !stats.extractor().equals(extractor.id())) {
                throw new IllegalArgumentException("statistics " + s.file() + " were computed with extractor '"
                        + stats.extractor() + "', this run uses '" + extractor.id() + "': recompute them with this extractor");
            }
            return stats;
        }
        return measure(set).statistics();
    }

    /**
     * The statistics of a set and, for images drawn for classes (a class-conditional model's samples)
     * measured with an extractor that has class scores, their class accuracy, from one extractor pass.
     *
     * @throws IOException              when images or files cannot be read
     * @throws IllegalArgumentException when no extractor was given for a set of images, or a set is unusable
     */
    public SetMeasurement measure(ImageSet set) throws IOException {
        if (set instanceof ImageSet.Stats) {
            return new SetMeasurement(statistics(set), null, "saved statistics hold no class accuracy");
        }
        try (ImageSource source = open(set)) {
            return measure(source, set.label());
        }
    }

    /** Opens the images of a set that is not a statistics file. */
    public ImageSource open(ImageSet set) throws IOException {
        if (set instanceof ImageSet.Folder f) {
            return new FolderImageSource(f.path());
        }
        if (set instanceof ImageSet.FashionMnist m) {
            return IdxImageSource.fashionMnist(m.folder(), m.split());
        }
        if (set instanceof ImageSet.Noise n) {
            ExtractorInput in = requireExtractor(set).input();
            int count = n.count() > 0 ? n.count() : DEFAULT_SAMPLE_COUNT;
            if (limit > 0) {
                count = n.count() > 0 ? (int) Math.min(limit, n.count()) : (int) limit;
            }
            return new NoiseImageSource(count,
                    n.channels() > 0 ? n.channels() : in.channels(),
                    n.height() > 0 ? n.height() : in.height(), n.width() > 0 ? n.width() : in.width(), n.seed());
        }
        if (set instanceof ImageSet.ModelSamples m) {
            if (samples == null) {
                throw new IllegalArgumentException("cannot draw samples for '" + m.label()
                        + "': no model sampler is configured in this evaluator");
            }
            int count = m.count() > 0 ? m.count() : limit > 0 ? (int) limit : DEFAULT_SAMPLE_COUNT;
            if (limit > 0) {
                count = (int) Math.min(count, limit);
            }
            return samples.open(m, count, batchSize);
        }
        throw new IllegalArgumentException(set.label() + " holds statistics, not images");
    }

    /** Streams a source through the extractor into statistics (at most the limit of images). */
    public FeatureStatistics statistics(ImageSource source) throws IOException {
        return statistics(source, source.description());
    }

    /**
     * Streams a source through the extractor into statistics (at most the limit of images).
     *
     * @param label the statistics' source description and the progress label
     */
    public FeatureStatistics statistics(ImageSource source, String label) throws IOException {
        return measure(source, label).statistics();
    }

    /**
     * Streams a source through the extractor into statistics (at most the limit of images) and, when the
     * source's images carry labels of as many classes as the extractor scores, counts its class accuracy in
     * the same pass.
     *
     * @param label the statistics' source description and the progress label
     */
    public SetMeasurement measure(ImageSource source, String label) throws IOException {
        FeatureExtractor ex = requireExtractorFor(label);
        int classes = source.classCount();
        String note = "";
        if (classes == 0) {
            note = NOT_DRAWN_FOR_CLASSES;
        } else if (ex.classCount() == 0) {
            note = "extractor " + ex.id() + " has no class scores";
        } else if (ex.classCount() != classes) {
            note = "the images' " + classes + " classes are not the extractor's " + ex.classCount();
        }
        ClassAccuracy.Counter counter = note.isEmpty() ? new ClassAccuracy.Counter(classes) : null;
        long total = source.size() < 0 ? limit : limit > 0 ? Math.min(limit, source.size()) : source.size();
        long wanted = limit > 0 ? limit : Long.MAX_VALUE;
        progress.start(label, total);
        FeatureAccumulator acc = null;
        long done = 0;
        try {
            while (done < wanted) {
                List<FidImage> batch = source.next((int) Math.min(batchSize, wanted - done));
                if (batch.isEmpty()) {
                    break;
                }
                float[] features;
                if (counter != null) {
                    FeatureExtractor.Extracted e = ex.extractWithScores(batch);
                    features = e.features();
                    int[] labels = new int[batch.size()];
                    for (int i = 0; i < labels.length; i++) {
                        labels[i] = batch.get(i).label();
                    }
                    counter.add(labels, e.scores());
                } else {
                    features = ex.extract(batch);
                }
                if (acc == null) {
                    acc = new FeatureAccumulator(features.length / batch.size());
                }
                acc.add(features, batch.size());
                done += batch.size();
                progress.advance(batch.size());
            }
        } finally {
            progress.end();
        }
        if (acc == null) {
            throw new IllegalArgumentException(source.description() + " holds no images");
        }
        FeatureStatistics stats = acc.statistics(ex.id(), label);
        return new SetMeasurement(stats, counter == null ? null : counter.result(), note);
    }

    private FeatureExtractor requireExtractor(ImageSet set) {
        return requireExtractorFor(set.label());
    }

    private FeatureExtractor requireExtractorFor(String what) {
        if (extractor == null) {
            throw new IllegalArgumentException("computing FID statistics of " + what
                    + " needs a feature extractor: pass --extractor file.onnx (a model whose features are a named output)");
        }
        return extractor;
    }

    /** Builds a {@link FidEvaluator}. */
    public static final class Builder {
        private FeatureExtractor extractor;
        private int batchSize = 64;
        private long limit;
        private FidProgress progress = FidProgress.NONE;
        private SampleSourceFactory samples;

        private Builder() {
        }

        /** The feature extractor (needed for every set that is not a statistics file). */
        public Builder optExtractor(FeatureExtractor value) {
            this.extractor = value;
            return this;
        }

        /** Images per extractor batch (default 64). */
        public Builder optBatchSize(int value) {
            this.batchSize = value;
            return this;
        }

        /** At most this many images per set; 0 (default) for all. */
        public Builder optLimit(long value) {
            this.limit = value;
            return this;
        }

        /** Progress reporting (default none). */
        public Builder optProgress(FidProgress value) {
            this.progress = value == null ? FidProgress.NONE : value;
            return this;
        }

        /** How samples are drawn from models (needed for {@code model:} sets). */
        public Builder optSampleSource(SampleSourceFactory value) {
            this.samples = value;
            return this;
        }

        /** Validates and builds. */
        public FidEvaluator build() {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batch size must be positive, found " + batchSize);
            }
            if (limit < 0) {
                throw new IllegalArgumentException("image limit must be 0 (all) or positive, found " + limit);
            }
            return new FidEvaluator(this);
        }
    }
}
