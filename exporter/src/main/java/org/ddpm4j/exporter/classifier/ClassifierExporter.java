package org.ddpm4j.exporter.classifier;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.ddpm4j.runtime.io.AtomicFiles;
import org.ddpm4j.exporter.onnx.OnnxGraphBuilder;
import org.ddpm4j.exporter.onnx.OnnxModelFile;
import org.ddpm4j.runtime.noise.GaussianNoise;
import org.ddpm4j.runtime.onnx.OrtRuntime;
import org.ddpm4j.trainer.classifier.ClassifierModel;
import org.ddpm4j.trainer.classifier.ClassifierSpec;

/**
 * Exports classifier weights as an ONNX FID feature extractor and proves parity before keeping it:
 * the DJL model and ONNX Runtime run the same images (seeded uniform noise in [0, 1], all-black and
 * all-white images, and any real images given), and the export fails, leaving no file, when
 * {@code features} or {@code logits} differ by more than {@code tolerance * max(1, max |DJL output|)}.
 * Writing is atomic (temporary file in the target folder, then a rename).
 *
 * <p>Metadata: {@value #INPUT_RANGE_KEY} = {@code 0,1}, {@value #FEATURES_KEY} = {@code features},
 * {@value #SPEC_KEY} (the architecture as JSON), {@code fid.train.*} (provenance given by the caller),
 * {@value #PARITY_KEY} and {@value #TOLERANCE_KEY}.
 *
 * <pre>{@code
 * ClassifierExportReport r = ClassifierExporter.builder()
 *         .setSpec(spec).setWeights(model.weights())
 *         .optProvenance(Map.of("steps", "1404", "seed", "0", "test_accuracy", "0.9012"))
 *         .build()
 *         .export(Path.of("models/fid/fashion-mnist-features.onnx"));
 * }</pre>
 */
public final class ClassifierExporter {

    /** Metadata key of the input range the extractor expects. */
    public static final String INPUT_RANGE_KEY = "fid.input_range";
    /** Metadata key naming the feature output. */
    public static final String FEATURES_KEY = "fid.features";
    /** Metadata key of the architecture (JSON). */
    public static final String SPEC_KEY = "fid.classifier";
    /** Prefix of the provenance keys. */
    public static final String TRAIN_PREFIX = "fid.train.";
    /** Metadata key of the parity error measured at export. */
    public static final String PARITY_KEY = "fid.export.max_rel_error";
    /** Metadata key of the parity tolerance. */
    public static final String TOLERANCE_KEY = "fid.export.tolerance";
    /** Default parity tolerance (relative to max(1, max |output|)). */
    public static final double DEFAULT_TOLERANCE = 1e-4;
    /** Seed of the noise images of the parity check. */
    public static final long PARITY_SEED = 20240601L;

    private final ClassifierSpec spec;
    private final Map<String, float[]> weights;
    private final Map<String, String> provenance;
    private final double tolerance;
    private final float[] extraImages;
    private final Consumer<String> progress;

    private ClassifierExporter(Builder b) {
        this.spec = b.spec;
        this.weights = b.weights;
        this.provenance = b.provenance;
        this.tolerance = b.tolerance;
        this.extraImages = b.extraImages;
        this.progress = b.progress;
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The graph with its metadata, before the parity figures are added. */
    public ModelProto graph() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("ddpm4j_fid_classifier")
                .docString("Fashion-MNIST feature classifier (ddpm4j); output 'features' is the FID feature vector")
                .metadata(INPUT_RANGE_KEY, "0,1")
                .metadata(FEATURES_KEY, ClassifierGraph.FEATURES)
                .metadata(SPEC_KEY, spec.toJson());
        provenance.forEach((k, v) -> g.metadata(TRAIN_PREFIX + k, v));
        return ClassifierGraph.write(spec, weights, g);
    }

    /**
     * Writes the file, checks parity with ONNX Runtime, and moves it into place only if parity holds.
     *
     * @throws ClassifierParityException when ONNX Runtime and DJL disagree beyond tolerance (no file left)
     * @throws IOException               when the file cannot be written (nothing is left behind)
     */
    public ClassifierExportReport export(Path out) throws IOException {
        long start = System.nanoTime();
        progress.accept("writing the ONNX graph (" + spec.parameterCount() + " parameters)");
        ModelProto model = graph();
        Path target = out.toAbsolutePath();
        if (Files.isDirectory(target)) {
            throw new IOException("output path " + out + " is a directory, expected a file name such as features.onnx");
        }
        double[] errors = new double[2];
        int[] checkedImages = new int[1];
        AtomicFiles.writeVia(target, tmp -> {
            OnnxModelFile.write(model, tmp);
            progress.accept("checking parity of DJL and ONNX Runtime");
            List<float[]> batches = parityBatches();
            double featErr = 0;
            double logitErr = 0;
            int images = 0;
            try (ClassifierModel djl = ClassifierModel.fromWeights(spec, weights)) {
                for (float[] batch : batches) {
                    float[][] ref = djlForward(djl, batch);
                    float[][] ort = onnxForward(tmp, batch);
                    featErr = Math.max(featErr, relativeError(ref[0], ort[0]));
                    logitErr = Math.max(logitErr, relativeError(ref[1], ort[1]));
                    images += batch.length / imageSize();
                }
            }
            if (!(featErr <= tolerance) || !(logitErr <= tolerance)) {
                throw new ClassifierParityException(String.format(Locale.ROOT, "parity failed, no file written: "
                        + "DJL vs ONNX Runtime on %d images: features error %.3e, logits error %.3e, tolerance %.1e "
                        + "(max abs difference relative to max(1, max |DJL output|))", images, featErr, logitErr,
                        tolerance));
            }
            Map<String, String> figures = new LinkedHashMap<>();
            figures.put(PARITY_KEY, String.format(Locale.ROOT, "%.3e", Math.max(featErr, logitErr)));
            figures.put(TOLERANCE_KEY, String.format(Locale.ROOT, "%.1e", tolerance));
            OnnxModelFile.write(OnnxModelFile.withMetadata(model, figures), tmp);
            errors[0] = featErr;
            errors[1] = logitErr;
            checkedImages[0] = images;
        });
        return new ClassifierExportReport(target, Files.size(target), spec.parameterCount(), errors[0], errors[1],
                tolerance, checkedImages[0], (System.nanoTime() - start) / 1_000_000);
    }

    private int imageSize() {
        return spec.channels() * spec.imageSize() * spec.imageSize();
    }

    private List<float[]> parityBatches() {
        int per = imageSize();
        List<float[]> out = new ArrayList<>();
        GaussianNoise rng = new GaussianNoise(PARITY_SEED);
        for (int n : new int[] {1, 7}) {
            float[] b = new float[n * per];
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) rng.nextDouble();
            }
            out.add(b);
        }
        float[] extremes = new float[2 * per];
        java.util.Arrays.fill(extremes, per, 2 * per, 1f);
        out.add(extremes);
        if (extraImages != null && extraImages.length > 0) {
            out.add(extraImages);
        }
        return out;
    }

    private float[][] djlForward(ClassifierModel model, float[] batch) {
        int n = batch.length / imageSize();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(batch, new Shape(n, spec.channels(), spec.imageSize(), spec.imageSize()));
            ClassifierModel.Output o = model.forward(x);
            return new float[][] {o.features().toFloatArray(), o.logits().toFloatArray()};
        }
    }

    private float[][] onnxForward(Path file, float[] batch) throws IOException {
        int n = batch.length / imageSize();
        OrtEnvironment env = OrtRuntime.environment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                OrtSession session = env.createSession(file.toString(), options);
                OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(batch),
                        new long[] {n, spec.channels(), spec.imageSize(), spec.imageSize()});
                OrtSession.Result r = session.run(Map.of(ClassifierGraph.INPUT, x))) {
            return new float[][] {values(r, ClassifierGraph.FEATURES), values(r, ClassifierGraph.LOGITS)};
        } catch (OrtException e) {
            throw new IOException("ONNX Runtime could not run the exported classifier: " + e.getMessage(), e);
        }
    }

    private static float[] values(OrtSession.Result r, String name) {
        OnnxTensor t = (OnnxTensor) r.get(name).orElseThrow(
                () -> new IllegalStateException("exported classifier has no output " + name));
        FloatBuffer fb = t.getFloatBuffer();
        float[] v = new float[fb.remaining()];
        fb.get(v);
        return v;
    }

    /** max |a - b| / max(1, max |a|); infinite when the lengths differ or a value is not finite. */
    static double relativeError(float[] reference, float[] other) {
        if (reference.length != other.length) {
            return Double.POSITIVE_INFINITY;
        }
        double maxAbs = 1;
        double maxDiff = 0;
        for (int i = 0; i < reference.length; i++) {
            double d = Math.abs((double) reference[i] - other[i]);
            if (!Double.isFinite(d)) {
                return Double.POSITIVE_INFINITY;
            }
            maxDiff = Math.max(maxDiff, d);
            maxAbs = Math.max(maxAbs, Math.abs(reference[i]));
        }
        return maxDiff / maxAbs;
    }


    /** Builder: {@code set*} required, {@code opt*} optional; {@link #build()} validates. */
    public static final class Builder {
        private ClassifierSpec spec;
        private Map<String, float[]> weights;
        private Map<String, String> provenance = new LinkedHashMap<>();
        private double tolerance = DEFAULT_TOLERANCE;
        private float[] extraImages;
        private Consumer<String> progress = stage -> { };

        private Builder() {
        }

        /** The architecture (required). */
        public Builder setSpec(ClassifierSpec spec) {
            this.spec = spec;
            return this;
        }

        /** The weights by canonical name (required). */
        public Builder setWeights(Map<String, float[]> weights) {
            this.weights = weights;
            return this;
        }

        /** Provenance, written as {@code fid.train.<key>} (e.g. steps, epochs, seed, test_accuracy, commit). */
        public Builder optProvenance(Map<String, String> entries) {
            this.provenance = new LinkedHashMap<>(entries);
            return this;
        }

        /** Parity tolerance, relative to max(1, max |output|) (default {@value ClassifierExporter#DEFAULT_TOLERANCE}). */
        public Builder optTolerance(double tolerance) {
            this.tolerance = tolerance;
            return this;
        }

        /** Extra images for the parity check, {@code [n, C, S, S]} flattened, values in [0, 1]. */
        public Builder optParityImages(float[] images) {
            this.extraImages = images;
            return this;
        }

        /** Hears each stage of the export. */
        public Builder optProgress(Consumer<String> listener) {
            this.progress = listener;
            return this;
        }

        /** Validates and builds. */
        public ClassifierExporter build() {
            Objects.requireNonNull(spec, "setSpec is required");
            Objects.requireNonNull(weights, "setWeights is required");
            ClassifierModel.checkWeights(spec, weights);
            if (!(tolerance > 0)) {
                throw new IllegalArgumentException("parity tolerance must be positive, found " + tolerance);
            }
            int per = spec.channels() * spec.imageSize() * spec.imageSize();
            if (extraImages != null && extraImages.length % per != 0) {
                throw new IllegalArgumentException("parity images: expected a multiple of " + per + " values ("
                        + spec.channels() + "x" + spec.imageSize() + "x" + spec.imageSize() + "), found "
                        + extraImages.length);
            }
            return new ClassifierExporter(this);
        }
    }
}
