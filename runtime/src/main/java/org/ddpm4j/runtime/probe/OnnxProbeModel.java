package org.ddpm4j.runtime.probe;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import org.ddpm4j.runtime.sampling.Denoiser;
import org.ddpm4j.runtime.sampling.Prediction;

/**
 * An ONNX file opened with ONNX Runtime as a {@link Denoiser}, for re-running probes: inputs
 * {@code sample} float32 {@code [B,C,H,W]} and {@code timestep} ({@code [B]} int64, int32 or float32),
 * first output the prediction. Graph optimizations can be switched off to check they change nothing.
 */
public final class OnnxProbeModel implements Denoiser, AutoCloseable {

    private final OrtEnvironment env;
    private final OrtSession session;
    private final Map<String, String> metadata;
    private final String sampleName;
    private final String timestepName;
    private final OnnxJavaType timestepType;
    private final int channels;
    private final int height;
    private final int width;
    private final Prediction prediction;

    private OnnxProbeModel(OrtEnvironment env, OrtSession session) throws OrtException {
        this.env = env;
        this.session = session;
        this.metadata = Map.copyOf(session.getMetadata().getCustomMetadata());
        Map<String, NodeInfo> inputs = session.getInputInfo();
        this.sampleName = inputs.containsKey("sample") ? "sample" : inputs.keySet().iterator().next();
        Iterator<String> it = inputs.keySet().iterator();
        String t = inputs.containsKey("timestep") ? "timestep" : null;
        while (t == null && it.hasNext()) {
            String n = it.next();
            if (!n.equals(sampleName)) {
                t = n;
            }
        }
        if (t == null) {
            throw new IllegalArgumentException("Model has inputs " + inputs.keySet() + ", expected 'sample' and 'timestep'");
        }
        this.timestepName = t;
        this.timestepType = ((TensorInfo) inputs.get(t).getInfo()).type;
        long[] shape = ((TensorInfo) inputs.get(sampleName).getInfo()).getShape();
        this.channels = dim(shape, 1, "C");
        this.height = dim(shape, 2, "H") > 0 ? dim(shape, 2, "H") : intKey("ddpm.image_size", 0);
        this.width = dim(shape, 3, "W") > 0 ? dim(shape, 3, "W") : intKey("ddpm.image_size", 1);
        this.prediction = metadata.containsKey("ddpm.prediction")
                ? Prediction.fromId(metadata.get("ddpm.prediction")) : Prediction.EPSILON;
    }

    /**
     * Opens a model file.
     *
     * @param file     the ONNX file
     * @param device   "cpu", or "cuda" / "cuda:N" (needs the GPU build of ONNX Runtime)
     * @param optimize whether ONNX Runtime may optimize the graph (all optimizations) or must run it as written
     */
    public static OnnxProbeModel open(Path file, String device, boolean optimize) throws java.io.IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString());
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(optimize ? OrtSession.SessionOptions.OptLevel.ALL_OPT
                    : OrtSession.SessionOptions.OptLevel.NO_OPT);
            String d = device == null ? "cpu" : device.trim().toLowerCase(Locale.ROOT);
            if (d.startsWith("cuda")) {
                int id = d.contains(":") ? Integer.parseInt(d.substring(d.indexOf(':') + 1)) : 0;
                options.addCUDA(id);
            } else if (!d.equals("cpu")) {
                throw new IllegalArgumentException("Unknown device '" + device + "', expected cpu, cuda or cuda:N");
            }
            return new OnnxProbeModel(env, env.createSession(file.toString(), options));
        } catch (OrtException e) {
            throw new java.io.IOException("ONNX Runtime cannot load " + file + " on " + device + ": " + e.getMessage(), e);
        }
    }

    /** The model's {@code metadata_props}. */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public Prediction prediction() {
        return prediction;
    }

    @Override
    public void predict(float[] sample, long[] timesteps, float[] out) {
        int batch = timesteps.length;
        long[] shape = {batch, channels, height, width};
        Map<String, OnnxTensor> feeds = new HashMap<>();
        try {
            feeds.put(sampleName, OnnxTensor.createTensor(env, FloatBuffer.wrap(sample), shape));
            feeds.put(timestepName, timestepTensor(timesteps));
            try (OrtSession.Result result = session.run(feeds)) {
                OnnxTensor y = (OnnxTensor) result.get(0);
                FloatBuffer fb = y.getFloatBuffer();
                if (fb.remaining() != out.length) {
                    throw new IllegalStateException("Model output holds " + fb.remaining() + " values, expected " + out.length);
                }
                fb.get(out);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to run the model: " + e.getMessage(), e);
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    private OnnxTensor timestepTensor(long[] t) throws OrtException {
        long[] shape = {t.length};
        return switch (timestepType) {
            case INT64 -> OnnxTensor.createTensor(env, LongBuffer.wrap(t), shape);
            case INT32 -> {
                int[] v = new int[t.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (int) t[i];
                }
                yield OnnxTensor.createTensor(env, IntBuffer.wrap(v), shape);
            }
            case FLOAT -> {
                float[] v = new float[t.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = t[i];
                }
                yield OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape);
            }
            default -> throw new IllegalArgumentException("Input '" + timestepName + "' has type " + timestepType
                    + ", expected int64, int32 or float32");
        };
    }

    private int intKey(String key, int index) {
        String v = metadata.get(key);
        if (v == null) {
            throw new IllegalArgumentException("Model has a dynamic image size and no '" + key + "' metadata");
        }
        String[] parts = v.split(",");
        return Integer.parseInt(parts[Math.min(index, parts.length - 1)].trim());
    }

    private static int dim(long[] shape, int i, String what) {
        if (shape.length != 4) {
            throw new IllegalArgumentException("Input 'sample' has rank " + shape.length + ", expected [B,C,H,W]");
        }
        if (i == 1 && shape[i] <= 0) {
            throw new IllegalArgumentException("Input 'sample' has a dynamic channel dimension, expected a fixed " + what);
        }
        return (int) shape[i];
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("Cannot close the ONNX Runtime session: " + e.getMessage(), e);
        }
    }
}
