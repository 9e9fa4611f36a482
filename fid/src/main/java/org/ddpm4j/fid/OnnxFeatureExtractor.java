package org.ddpm4j.fid;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ddpm4j.runtime.onnx.OrtRuntime;

/**
 * A {@link FeatureExtractor} backed by an ONNX model run on ONNX Runtime.
 *
 * <p>When the model is also a classifier, its class scores are the output named by metadata
 * {@value #LOGITS_KEY}, else the output named {@value #LOGITS_OUTPUT} (float32 {@code [B, K]} with a
 * fixed K); {@link #extractWithScores} reads them in the same run as the features.
 *
 * <p>The model must have one float32 input of shape {@code [B, C, H, W]} with C (1 or 3), H and W
 * fixed (B may be dynamic or fixed; a fixed B is filled up with blank images). Its input range is
 * read from metadata {@value InputRange#METADATA_KEY} ({@code 0,1} by default). The features are the
 * output named by the caller, else the output named by metadata {@value #FEATURES_KEY}, else the first
 * output; each image's slice of it is flattened, so {@code [B, D]} and {@code [B, D, 1, 1]} both give
 * D features.
 *
 * <p>A classifier trained by the project plugs in by exporting its penultimate activations as an
 * extra output (for example {@code features}) and naming it in {@value #FEATURES_KEY}.
 */
public final class OnnxFeatureExtractor implements FeatureExtractor {

    /** Optional metadata key naming the output that holds the features. */
    public static final String FEATURES_KEY = "fid.features";
    /** Optional metadata key naming the output that holds the class scores (logits). */
    public static final String LOGITS_KEY = "fid.logits";
    /** The class-score output looked for when {@value #LOGITS_KEY} is absent (ddpm4j's classifier names it so). */
    public static final String LOGITS_OUTPUT = "logits";

    private final Path file;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String inputName;
    private final String outputName;
    private final String logitsName;
    private final int classes;
    private final long fixedBatch;
    private final ExtractorInput input;
    private final String id;
    private int featureDim = -1;

    private OnnxFeatureExtractor(Path file, OrtEnvironment env, OrtSession session, String inputName,
            String outputName, String logitsName, int classes, long fixedBatch, ExtractorInput input, String id) {
        this.file = file;
        this.env = env;
        this.session = session;
        this.inputName = inputName;
        this.outputName = outputName;
        this.logitsName = logitsName;
        this.classes = classes;
        this.fixedBatch = fixedBatch;
        this.input = input;
        this.id = id;
    }

    /**
     * Opens an extractor with ONNX Runtime's default thread count.
     *
     * @see #open(Path, String, int)
     */
    public static OnnxFeatureExtractor open(Path file, String featureOutput) throws IOException {
        return open(file, featureOutput, 0);
    }

    /**
     * Opens an extractor and checks its input and output.
     *
     * @param file          the ONNX model
     * @param featureOutput the output holding the features, or null for metadata {@value #FEATURES_KEY}
     *                      or else the first output
     * @param threads       intra-op threads, 0 for ONNX Runtime's default
     * @throws IOException              when the file is missing or not a loadable ONNX model
     * @throws IllegalArgumentException when the input is not one float {@code [B, C, H, W]} tensor with
     *                                  fixed C in {1, 3}, H and W, the named output does not exist, or
     *                                  the range metadata is malformed
     */
    public static OnnxFeatureExtractor open(Path file, String featureOutput, int threads) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "feature extractor not found");
        }
        String hash = sha256(file);
        OrtEnvironment env = OrtRuntime.environment();
        OrtSession session = null;
        try {
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                if (threads > 0) {
                    options.setIntraOpNumThreads(threads);
                }
                session = env.createSession(file.toString(), options);
            } catch (OrtException e) {
                throw new IOException("cannot load feature extractor " + file + " as an ONNX model: " + e.getMessage(), e);
            }
            Map<String, NodeInfo> inputs = session.getInputInfo();
            if (inputs.size() != 1) {
                throw new IllegalArgumentException("feature extractor " + file + " must have exactly one input (images "
                        + "[B, C, H, W]), found " + inputs.size() + ": " + inputs.keySet());
            }
            NodeInfo in = inputs.values().iterator().next();
            long[] shape = imageInputShape(file, in);
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            InputRange range = meta.containsKey(InputRange.METADATA_KEY)
                    ? parseRange(file, meta.get(InputRange.METADATA_KEY)) : InputRange.ZERO_ONE;
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            String out = featureOutput != null ? featureOutput : meta.get(FEATURES_KEY);
            if (out == null) {
                out = outputs.keySet().iterator().next();
            } else if (!outputs.containsKey(out)) {
                throw new IllegalArgumentException("feature extractor " + file + " has no output named '" + out
                        + "', expected one of " + outputs.keySet());
            }
            if (!(outputs.get(out).getInfo() instanceof TensorInfo ti) || ti.type != OnnxJavaType.FLOAT) {
                throw new IllegalArgumentException("feature output '" + out + "' of " + file
                        + " must be a float32 tensor, found " + outputs.get(out).getInfo());
            }
            ExtractorInput ei = new ExtractorInput((int) shape[1], (int) shape[2], (int) shape[3], range);
            String logits = meta.get(LOGITS_KEY);
            int classes = 0;
            if (logits != null) {
                if (!outputs.containsKey(logits)) {
                    throw new IllegalArgumentException("feature extractor " + file + ": " + LOGITS_KEY + " names output '"
                            + logits + "', expected one of " + outputs.keySet());
                }
                classes = scoreCount(outputs.get(logits));
                if (classes <= 0) {
                    throw new IllegalArgumentException("class-score output '" + logits + "' of " + file
                            + " must be a float32 tensor [B, K] with a fixed K, found " + outputs.get(logits).getInfo());
                }
            } else if (outputs.containsKey(LOGITS_OUTPUT)) {
                classes = scoreCount(outputs.get(LOGITS_OUTPUT));
                logits = classes > 0 ? LOGITS_OUTPUT : null;
            }
            OnnxFeatureExtractor ex = new OnnxFeatureExtractor(file, env, session, in.getName(), out, logits, classes,
                    shape[0], ei, "sha256:" + hash.substring(0, 16) + "#" + out);
            session = null;
            return ex;
        } catch (OrtException e) {
            throw new IOException("cannot inspect feature extractor " + file + ": " + e.getMessage(), e);
        } finally {
            if (session != null) {
                try {
                    session.close();
                } catch (OrtException ignored) {
                    // closing a half-opened session: nothing more to report
                }
            }
        }
    }

    private static long[] imageInputShape(Path file, NodeInfo in) {
        if (!(in.getInfo() instanceof TensorInfo ti)) {
            throw new IllegalArgumentException("feature extractor " + file + " input '" + in.getName()
                    + "' must be a float32 tensor [B, C, H, W], found " + in.getInfo());
        }
        long[] shape = ti.getShape();
        if (shape.length != 4) {
            throw new IllegalArgumentException("feature extractor " + file + " input '" + in.getName()
                    + "' must be 4-D [B, C, H, W], found " + shape.length + "-D " + Arrays.toString(shape));
        }
        if (ti.type != OnnxJavaType.FLOAT) {
            throw new IllegalArgumentException("feature extractor " + file + " input '" + in.getName()
                    + "' must be float32, found " + ti.type);
        }
        if (shape[1] != 1 && shape[1] != 3) {
            throw new IllegalArgumentException("feature extractor " + file + " input '" + in.getName()
                    + "' must have a fixed channel count 1 or 3 in [B, C, H, W], found " + Arrays.toString(shape));
        }
        if (shape[2] <= 0 || shape[3] <= 0) {
            throw new IllegalArgumentException("feature extractor " + file + " input '" + in.getName()
                    + "' must have a fixed height and width in [B, C, H, W] (export it with a fixed size), found "
                    + Arrays.toString(shape));
        }
        return shape;
    }

    /** K of a float32 {@code [B, K]} output with a fixed K, else 0. */
    private static int scoreCount(NodeInfo info) {
        if (info.getInfo() instanceof TensorInfo ti && ti.type == OnnxJavaType.FLOAT) {
            long[] shape = ti.getShape();
            if (shape.length == 2 && shape[1] > 0 && shape[1] <= Integer.MAX_VALUE) {
                return (int) shape[1];
            }
        }
        return 0;
    }

    private static InputRange parseRange(Path file, String value) {
        try {
            return InputRange.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("feature extractor " + file + ": " + e.getMessage(), e);
        }
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public ExtractorInput input() {
        return input;
    }

    /** The output the features are read from. */
    public String featureOutput() {
        return outputName;
    }

    /** The output the class scores are read from, or null when the model has none. */
    public String scoreOutput() {
        return logitsName;
    }

    @Override
    public int classCount() {
        return classes;
    }

    /** The model file. */
    public Path file() {
        return file;
    }

    @Override
    public float[] extract(List<FidImage> images) {
        return run(images, false).features();
    }

    @Override
    public Extracted extractWithScores(List<FidImage> images) {
        return run(images, logitsName != null);
    }

    private Extracted run(List<FidImage> images, boolean scores) {
        if (images.isEmpty()) {
            return new Extracted(new float[0], scores ? new float[0] : null);
        }
        int n = images.size();
        int chunk = fixedBatch > 0 ? (int) fixedBatch : n;
        float[] features = null;
        float[] logits = scores ? new float[n * classes] : null;
        for (int start = 0; start < n; start += chunk) {
            int count = Math.min(chunk, n - start);
            int rows = fixedBatch > 0 ? chunk : count;
            float[] data = new float[rows * input.imageSize()];
            for (int i = 0; i < count; i++) {
                input.write(images.get(start + i), data, i * input.imageSize());
            }
            float[][] outputs = run(data, rows, scores);
            int dim = outputs[0].length / rows;
            if (features == null) {
                features = new float[n * dim];
            }
            System.arraycopy(outputs[0], 0, features, start * dim, count * dim);
            if (scores) {
                System.arraycopy(outputs[1], 0, logits, start * classes, count * classes);
            }
        }
        return new Extracted(features, logits);
    }

    private float[][] run(float[] data, int rows, boolean scores) {
        long[] shape = {rows, input.channels(), input.height(), input.width()};
        Set<String> wanted = scores ? new java.util.LinkedHashSet<>(List.of(outputName, logitsName)) : Set.of(outputName);
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
                OrtSession.Result result = session.run(Map.of(inputName, tensor), wanted)) {
            float[] features = read(result, outputName, rows);
            int dim = features.length / rows;
            if (dim == 0) {
                throw new IllegalArgumentException("feature output '" + outputName + "' of " + file
                        + " is empty for " + rows + " images");
            }
            if (featureDim < 0) {
                featureDim = dim;
            } else if (featureDim != dim) {
                throw new IllegalArgumentException("feature output '" + outputName + "' of " + file
                        + " changed size between batches: " + featureDim + " then " + dim);
            }
            if (!scores) {
                return new float[][] {features};
            }
            float[] logits = read(result, logitsName, rows);
            if (logits.length != rows * classes) {
                throw new IllegalArgumentException("class-score output '" + logitsName + "' of " + file + " must hold "
                        + classes + " scores per image, found " + logits.length + " values for " + rows + " images");
            }
            return new float[][] {features, logits};
        } catch (OrtException e) {
            throw new IllegalStateException("feature extractor " + file + " failed: " + e.getMessage(), e);
        }
    }

    private float[] read(OrtSession.Result result, String name, int rows) {
        OnnxValue value = result.get(name).orElseThrow();
        if (!(value instanceof OnnxTensor out)) {
            throw new IllegalArgumentException("output '" + name + "' of " + file + " is not a tensor");
        }
        long[] outShape = out.getInfo().getShape();
        if (outShape.length < 1 || outShape[0] != rows) {
            throw new IllegalArgumentException("output '" + name + "' of " + file
                    + " must have the batch as its first axis: fed " + rows + " images, got shape "
                    + Arrays.toString(outShape));
        }
        FloatBuffer fb = out.getFloatBuffer();
        float[] values = new float[fb.remaining()];
        fb.get(values);
        return values;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close feature extractor " + file + ": " + e.getMessage(), e);
        }
    }
}
