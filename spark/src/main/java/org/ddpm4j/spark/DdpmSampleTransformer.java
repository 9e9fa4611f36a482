package org.ddpm4j.spark;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.UUID;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.ddpm4j.runtime.cli.ImageCountOptions;
import org.ddpm4j.runtime.cli.RuntimeOptions;
import org.ddpm4j.runtime.cli.SamplingOptions;
import org.ddpm4j.runtime.model.ClassLabels;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.runtime.pipeline.GenerationRequest;
import org.ddpm4j.runtime.pipeline.GenerationResult;
import org.ddpm4j.runtime.sampling.TimestepSpacing;
import org.ddpm4j.runtime.sampling.VarianceType;

/**
 * A Spark ML {@link Transformer} that draws one image per row: it takes a DataFrame with a seed column (and
 * optionally a class and a guidance column) and adds an image column in Spark's image schema (origin, height,
 * width, nChannels, mode, data; {@code org.apache.spark.ml.image.ImageSchema}), so the images can feed the next
 * stage of a pipeline or be written with {@code df.write().parquet(...)} through Spark's commit protocol.
 *
 * <p>The sampler settings are {@link Param}s with {@code ddpm sample}'s defaults. Rows are drawn in batches of
 * {@code batchSize} consecutive rows of a partition; a row's image equals {@code ddpm sample}'s image of the same
 * seed (and class and guidance) drawn in the same batch, so a partition of seeds {@code s .. s+n-1} with
 * {@code batchSize} B gives {@code ddpm sample --seed s -n n --batch B}'s pixels. Without a class column, a
 * class-conditional model draws the class of each seed (seed mod K), as {@code ddpm sample}; a class value of
 * null draws that too. {@code data} holds the pixels row by row (gray: one byte per pixel; colour: B, G, R, as
 * the image schema's OpenCV modes).
 */
public final class DdpmSampleTransformer extends Transformer {

    private static final long serialVersionUID = 1L;

    /** OpenCV type of 8-bit, 1-channel images in Spark's image schema. */
    public static final int CV_8UC1 = 0;
    /** OpenCV type of 8-bit, 3-channel (B, G, R) images in Spark's image schema. */
    public static final int CV_8UC3 = 16;

    private final String uid;

    private final Param<String> modelPath;
    private final Param<String> seedCol;
    private final Param<String> classCol;
    private final Param<String> guidanceCol;
    private final Param<String> outputCol;
    private final Param<String> sampler;
    private final IntParam steps;
    private final DoubleParam eta;
    private final Param<String> variance;
    private final Param<String> spacing;
    private final Param<String> clip;
    private final DoubleParam guidance;
    private final IntParam batchSize;
    private final Param<String> device;
    private final IntParam threads;

    /** A transformer with {@code ddpm sample}'s defaults. */
    public DdpmSampleTransformer() {
        this("ddpmSample_" + UUID.randomUUID().toString().substring(0, 12));
    }

    /** A transformer with the given uid and {@code ddpm sample}'s defaults. */
    public DdpmSampleTransformer(String uid) {
        this.uid = uid; // before the params: each records its parent's uid
        modelPath = new Param<>(uid, "modelPath", "the ONNX model: a local path or a Hadoop URI");
        classCol = new Param<>(uid, "classCol",
            "the class label column (int or long; null: the class of the seed), empty for none");
        seedCol = new Param<>(uid, "seedCol", "the seed column (long or int)");
        guidanceCol = new Param<>(uid, "guidanceCol",
            "the classifier-free guidance column (double), empty for none");
        outputCol = new Param<>(uid, "outputCol", "the image column added");
        sampler = new Param<>(uid, "sampler", "ddpm, ddim, dpmpp or dpmpp-sde");
        steps = new IntParam(uid, "steps", "denoiser calls per image, 0 for the sampler's default",
            ParamValidators.gtEq(0));
        eta = new DoubleParam(uid, "eta", "DDIM stochasticity");
        variance = new Param<>(uid, "variance", "fixed_small or fixed_large");
        spacing = new Param<>(uid, "spacing", "timestep spacing, empty for the sampler's");
        clip = new Param<>(uid, "clip", "true, false, or empty for the model's setting");
        guidance = new DoubleParam(uid, "guidance", "classifier-free guidance scale");
        batchSize = new IntParam(uid, "batchSize", "rows per denoiser call", ParamValidators.gtEq(1));
        device = new Param<>(uid, "device", "cpu, cuda[:id] or auto");
        threads = new IntParam(uid, "threads", "intra-op threads per task, 0 for the task's CPUs",
            ParamValidators.gtEq(0));
        setDefault(seedCol, "seed");
        setDefault(classCol, "");
        setDefault(guidanceCol, "");
        setDefault(outputCol, "image");
        setDefault(sampler, SamplingOptions.DEFAULT_SAMPLER);
        setDefault(steps, 0);
        setDefault(eta, SamplingOptions.DEFAULT_ETA);
        setDefault(variance, SamplingOptions.DEFAULT_VARIANCE);
        setDefault(spacing, "");
        setDefault(clip, "");
        setDefault(guidance, 1.0);
        setDefault(batchSize, ImageCountOptions.DEFAULT_BATCH);
        setDefault(device, "cpu");
        setDefault(threads, 0);
    }

    /** The ONNX model: a local path or a Hadoop URI (required). */
    public Param<String> modelPath() {
        return modelPath;
    }

    /** The seed column (long or int), default {@code seed}. */
    public Param<String> seedCol() {
        return seedCol;
    }

    /** The class column (int or long labels; null for the class of the seed), default none. */
    public Param<String> classCol() {
        return classCol;
    }

    /** The guidance column (double), default none: {@link #guidance()} for every row. */
    public Param<String> guidanceCol() {
        return guidanceCol;
    }

    /** The image column added, default {@code image}. */
    public Param<String> outputCol() {
        return outputCol;
    }

    /** The sampler: ddpm, ddim, dpmpp or dpmpp-sde. */
    public Param<String> sampler() {
        return sampler;
    }

    /** Denoiser calls per image, 0 for the sampler's default. */
    public IntParam steps() {
        return steps;
    }

    /** DDIM's eta. */
    public DoubleParam eta() {
        return eta;
    }

    /** DDPM variance: fixed_small or fixed_large. */
    public Param<String> variance() {
        return variance;
    }

    /** Timestep spacing, empty for the sampler's default. */
    public Param<String> spacing() {
        return spacing;
    }

    /** Clip the predicted x0: true, false, or empty for the model's {@code ddpm.clip_sample}. */
    public Param<String> clip() {
        return clip;
    }

    /** Guidance of rows without a guidance column. */
    public DoubleParam guidance() {
        return guidance;
    }

    /** Rows per denoiser call. */
    public IntParam batchSize() {
        return batchSize;
    }

    /** Device of tasks without a GPU resource: cpu, cuda[:id] or auto. */
    public Param<String> device() {
        return device;
    }

    /** Intra-op threads per task, 0 for the task's CPUs. */
    public IntParam threads() {
        return threads;
    }

    /** Sets {@link #modelPath()}. */
    public DdpmSampleTransformer setModelPath(String value) {
        set(modelPath, value);
        return this;
    }

    /** Sets {@link #seedCol()}. */
    public DdpmSampleTransformer setSeedCol(String value) {
        set(seedCol, value);
        return this;
    }

    /** Sets {@link #classCol()}. */
    public DdpmSampleTransformer setClassCol(String value) {
        set(classCol, value);
        return this;
    }

    /** Sets {@link #guidanceCol()}. */
    public DdpmSampleTransformer setGuidanceCol(String value) {
        set(guidanceCol, value);
        return this;
    }

    /** Sets {@link #outputCol()}. */
    public DdpmSampleTransformer setOutputCol(String value) {
        set(outputCol, value);
        return this;
    }

    /** Sets {@link #sampler()}. */
    public DdpmSampleTransformer setSampler(String value) {
        set(sampler, value);
        return this;
    }

    /** Sets {@link #steps()}. */
    public DdpmSampleTransformer setSteps(int value) {
        set(steps, value);
        return this;
    }

    /** Sets {@link #eta()}. */
    public DdpmSampleTransformer setEta(double value) {
        set(eta, value);
        return this;
    }

    /** Sets {@link #variance()}. */
    public DdpmSampleTransformer setVariance(String value) {
        set(variance, value);
        return this;
    }

    /** Sets {@link #spacing()}. */
    public DdpmSampleTransformer setSpacing(String value) {
        set(spacing, value);
        return this;
    }

    /** Sets {@link #clip()}. */
    public DdpmSampleTransformer setClip(String value) {
        set(clip, value);
        return this;
    }

    /** Sets {@link #guidance()}. */
    public DdpmSampleTransformer setGuidance(double value) {
        set(guidance, value);
        return this;
    }

    /** Sets {@link #batchSize()}. */
    public DdpmSampleTransformer setBatchSize(int value) {
        set(batchSize, value);
        return this;
    }

    /** Sets {@link #device()}. */
    public DdpmSampleTransformer setDevice(String value) {
        set(device, value);
        return this;
    }

    /** Sets {@link #threads()}. */
    public DdpmSampleTransformer setThreads(int value) {
        set(threads, value);
        return this;
    }

    @Override
    public String uid() {
        return uid;
    }

    /** Spark's image schema: the struct of one image. */
    public static StructType imageSchema() {
        return new StructType(new StructField[] {
            new StructField("origin", DataTypes.StringType, true, Metadata.empty()),
            new StructField("height", DataTypes.IntegerType, false, Metadata.empty()),
            new StructField("width", DataTypes.IntegerType, false, Metadata.empty()),
            new StructField("nChannels", DataTypes.IntegerType, false, Metadata.empty()),
            new StructField("mode", DataTypes.IntegerType, false, Metadata.empty()),
            new StructField("data", DataTypes.BinaryType, false, Metadata.empty())});
    }

    @Override
    public StructType transformSchema(StructType schema) {
        requireIntegral(schema, $(seedCol), "seedCol");
        if (!$(classCol).isEmpty()) {
            requireIntegral(schema, $(classCol), "classCol");
        }
        if (!$(guidanceCol).isEmpty()) {
            requireType(schema, $(guidanceCol), "guidanceCol", DataTypes.DoubleType);
        }
        if (List.of(schema.fieldNames()).contains($(outputCol))) {
            throw new IllegalArgumentException("outputCol '" + $(outputCol) + "' is a column of the input already");
        }
        return schema.add(new StructField($(outputCol), imageSchema(), true, Metadata.empty()));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        if (!isDefined(modelPath) || $(modelPath).isBlank()) {
            throw new IllegalArgumentException("modelPath is not set: the ONNX model, a local path or a Hadoop URI");
        }
        StructType out = transformSchema(dataset.schema());
        SampleSettings s = settings();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        ShippedFile model;
        try {
            model = ShippedFile.of($(modelPath), "model", sc.hadoopConfiguration());
            try (DiffusionPipeline p = DiffusionPipeline.open(model.localCopy(sc.hadoopConfiguration()),
                    OnnxOptions.DEFAULTS.withThreads(1))) {
                p.sampler(request(s, new long[] {0}, null, s.guidance(), p.info())); // settings checked on the driver
            }
            model.ship(sc, sc.hadoopConfiguration());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StructType in = dataset.schema();
        int seedIndex = in.fieldIndex($(seedCol));
        int classIndex = $(classCol).isEmpty() ? -1 : in.fieldIndex($(classCol));
        int guidanceIndex = $(guidanceCol).isEmpty() ? -1 : in.fieldIndex($(guidanceCol));
        String sha = model.sha256();
        String shipped = model.shippedName();
        String origin = "ddpm4j:" + model.fileName();
        MapPartitionsFunction<Row, Row> draw = rows -> new Batches(rows, s, sha, shipped, origin, seedIndex, classIndex,
                guidanceIndex);
        return dataset.toDF().mapPartitions(draw, Encoders.row(out));
    }

    /** The sampler settings as {@link SampleSettings} (count and seed are per batch). */
    private SampleSettings settings() {
        if (!$(clip).isEmpty() && !$(clip).equals("true") && !$(clip).equals("false")) {
            throw new IllegalArgumentException("clip must be true, false or empty (the model's setting), found '"
                    + $(clip) + "'");
        }
        int stepsValue = (Integer) $(steps);
        double w = (Double) $(guidance);
        return new SampleSettings($(modelPath), "", $(sampler), stepsValue > 0 ? stepsValue : null, 1, 0,
                (Integer) $(batchSize), (Double) $(eta), $(variance), $(spacing).isEmpty() ? null : $(spacing),
                $(clip).isEmpty() ? null : Boolean.valueOf($(clip)), false, null, w == 1.0 ? null : w, $(device),
                (Integer) $(threads), RuntimeOptions.DEFAULT_OPTIMIZATION, 0, SampleLayout.SHARD_SIZE, false);
    }

    /** A request for {@code seeds} with {@code labels} (null: each seed's class) and guidance {@code w}. */
    static GenerationRequest request(SampleSettings s, long[] seeds, long[] labels, Double w, ModelInfo info) {
        GenerationRequest.Builder b = GenerationRequest.builder().optSampler(s.sampler()).optSeeds(seeds)
                .optBatchSize(s.batch()).optEta(s.eta()).optVariance(VarianceType.fromId(s.variance()))
                .optClippedModelOutput(s.clippedModelOutput())
                .optSteps(s.steps() != null ? s.steps() : SamplingOptions.defaultSteps(s.sampler()));
        if (s.spacing() != null) {
            b.optSpacing(TimestepSpacing.fromId(s.spacing()));
        }
        if (s.clip() != null) {
            b.optClipSample(s.clip());
        }
        if (info.conditional()) {
            ClassLabels classes = ClassLabels.of(info);
            long[] l = new long[seeds.length];
            for (int i = 0; i < seeds.length; i++) {
                l[i] = labels != null && labels[i] >= 0 ? labels[i] : classes.bySeed(seeds[i]);
            }
            b.optClassLabels(l).optGuidance(w == null ? 1.0 : w);
        } else if (labels != null || (w != null && w != 1.0)) {
            throw new IllegalArgumentException("an unconditional model (no ddpm.class_count) takes no class or guidance");
        }
        return b.build();
    }

    @Override
    public DdpmSampleTransformer copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    private static void requireIntegral(StructType schema, String column, String param) {
        DataType t = field(schema, column, param).dataType();
        if (!(t instanceof LongType) && !(t instanceof IntegerType)) {
            throw new IllegalArgumentException(param + " '" + column + "' must be a long or int column, found " + t.simpleString());
        }
    }

    private static void requireType(StructType schema, String column, String param, DataType type) {
        DataType t = field(schema, column, param).dataType();
        if (!t.equals(type)) {
            throw new IllegalArgumentException(param + " '" + column + "' must be a " + type.simpleString()
                    + " column, found " + t.simpleString());
        }
    }

    private static StructField field(StructType schema, String column, String param) {
        if (!List.of(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException(param + " '" + column + "' is not a column; found "
                    + String.join(", ", schema.fieldNames()));
        }
        return schema.apply(column);
    }

    /** The rows of a partition with their images, drawn a batch of consecutive rows (of one guidance) at a time. */
    private static final class Batches implements Iterator<Row> {
        private final Iterator<Row> rows;
        private final SampleSettings s;
        private final String sha;
        private final String shipped;
        private final String origin;
        private final int seedIndex;
        private final int classIndex;
        private final int guidanceIndex;
        private DiffusionPipeline pipeline;
        private Row pending;
        private final List<Row> ready = new ArrayList<>();
        private int next;

        Batches(Iterator<Row> rows, SampleSettings s, String sha, String shipped, String origin, int seedIndex,
                int classIndex, int guidanceIndex) {
            this.rows = rows;
            this.s = s;
            this.sha = sha;
            this.shipped = shipped;
            this.origin = origin;
            this.seedIndex = seedIndex;
            this.classIndex = classIndex;
            this.guidanceIndex = guidanceIndex;
        }

        @Override
        public boolean hasNext() {
            if (next < ready.size()) {
                return true;
            }
            ready.clear();
            next = 0;
            List<Row> batch = new ArrayList<>();
            Double w = null;
            while (batch.size() < s.batch() && (pending != null || rows.hasNext())) {
                Row r = pending != null ? pending : rows.next();
                pending = null;
                Double rw = guidanceIndex < 0 ? s.guidance() : r.isNullAt(guidanceIndex) ? null : r.getDouble(guidanceIndex);
                if (!batch.isEmpty() && !java.util.Objects.equals(rw, w)) {
                    pending = r; // one guidance per denoiser call
                    break;
                }
                w = rw;
                batch.add(r);
            }
            if (batch.isEmpty()) {
                return false;
            }
            draw(batch, w);
            return true;
        }

        private void draw(List<Row> batch, Double w) {
            try {
                if (pipeline == null) {
                    pipeline = ExecutorSessions.pipeline(sha, java.nio.file.Path.of(SparkFiles.get(shipped)),
                            s.taskOptions());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            long[] seeds = new long[batch.size()];
            long[] labels = classIndex < 0 ? null : new long[batch.size()];
            for (int i = 0; i < seeds.length; i++) {
                Row r = batch.get(i);
                if (r.isNullAt(seedIndex)) {
                    throw new IllegalArgumentException("a row has no seed (null in the seed column)");
                }
                seeds[i] = ((Number) r.get(seedIndex)).longValue();
                if (labels != null) {
                    labels[i] = r.isNullAt(classIndex) ? -1 : ((Number) r.get(classIndex)).longValue();
                }
            }
            GenerationResult result = pipeline.generate(request(s, seeds, labels, w, pipeline.info()));
            for (int i = 0; i < seeds.length; i++) {
                Row r = batch.get(i);
                Object[] values = new Object[r.size() + 1];
                for (int c = 0; c < r.size(); c++) {
                    values[c] = r.get(c);
                }
                values[r.size()] = imageRow(result.image(i), pipeline.info().channels(), origin + "?seed=" + seeds[i]);
                ready.add(RowFactory.create(values));
            }
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.get(next++);
        }
    }

    /**
     * One image as a row of {@link #imageSchema()}: a model of one channel gives 8-bit gray ({@link #CV_8UC1}),
     * else 8-bit B, G, R ({@link #CV_8UC3}).
     */
    static Row imageRow(BufferedImage img, int modelChannels, String origin) {
        int h = img.getHeight();
        int w = img.getWidth();
        int channels = modelChannels == 1 ? 1 : 3;
        byte[] data = new byte[h * w * channels];
        int i = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                if (channels == 1) {
                    data[i++] = (byte) rgb; // gray images are written with R = G = B
                } else {
                    data[i++] = (byte) rgb; // B
                    data[i++] = (byte) (rgb >> 8); // G
                    data[i++] = (byte) (rgb >> 16); // R
                }
            }
        }
        return RowFactory.create(origin, h, w, channels, channels == 1 ? CV_8UC1 : CV_8UC3, data);
    }
}
