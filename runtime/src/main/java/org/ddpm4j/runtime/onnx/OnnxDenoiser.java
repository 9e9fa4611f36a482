package org.ddpm4j.runtime.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.LongAdder;
import org.ddpm4j.runtime.model.MetadataKeys;
import org.ddpm4j.runtime.model.ModelContract;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.model.ModelSignature;
import org.ddpm4j.runtime.model.TensorSpec;
import org.ddpm4j.runtime.sampling.Denoiser;
import org.ddpm4j.runtime.sampling.Prediction;

/**
 * A contract model (see {@link ModelContract}) run by ONNX Runtime.
 *
 * <p>Opened once, it is safe to use from many threads at once: ONNX Runtime sessions are thread-safe,
 * and each call borrows a set of preallocated direct buffers (input, timestep, and the pinned output
 * that ONNX Runtime writes into) from a pool keyed by batch size. So a sampling loop copies its
 * {@code float[]} into native memory and back once per step and allocates nothing large. Java has no
 * IO binding, so on CUDA the copies to and from the device are ONNX Runtime's.
 *
 * <p>Close it when done (closing twice is harmless); do not close it while calls are running.
 */
public final class OnnxDenoiser implements Denoiser, AutoCloseable {

    /** The line appended to CUDA failures: how to get a working CUDA provider. */
    public static final String CUDA_FIX = "to use the GPU, build with the cuda profile (mvn -Pcuda package, which"
            + " ships onnxruntime_gpu) on a host with an NVIDIA driver, CUDA 12 and cuDNN 9; or pass --device cpu";

    private final OrtEnvironment env;
    private final OrtSession session;
    private final ModelInfo info;
    private final ModelSignature signature;
    private final String source;
    private final String sha256;
    private final Device device;
    private final int fixedBatch;
    private final Map<Integer, ConcurrentLinkedDeque<IoBuffers>> pool = new ConcurrentHashMap<>();
    private final List<IoBuffers> allBuffers = new ArrayList<>();
    private final LongAdder runNanos = new LongAdder();
    private final LongAdder runCalls = new LongAdder();
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    /** Calls hold the read lock; close takes the write lock, so it never frees what a running call uses. */
    private final java.util.concurrent.locks.ReentrantReadWriteLock lifecycle =
            new java.util.concurrent.locks.ReentrantReadWriteLock();

    private OnnxDenoiser(OrtEnvironment env, OrtSession session, Device device, String source, String sha256)
            throws OrtException {
        this.env = env;
        this.session = session;
        this.device = device;
        this.source = source;
        this.sha256 = sha256;
        try {
            this.info = ModelInfo.fromMetadata(session.getMetadata().getCustomMetadata(), source);
            this.signature = ModelContract.validate(specs(session.getInputInfo()), specs(session.getOutputInfo()),
                    info, source);
        } catch (RuntimeException | OrtException e) {
            session.close();
            throw e;
        }
        long b = signature.sample().dim(0);
        this.fixedBatch = b > 0 ? (int) b : -1;
    }

    /**
     * Opens a model file.
     *
     * @throws IOException when the file is missing or is not a loadable ONNX model
     * @throws org.ddpm4j.runtime.model.ModelContractException when it breaks the contract
     * @throws IllegalStateException when the CUDA device was asked for and cannot be used (with the fix)
     */
    public static OnnxDenoiser open(Path model, OnnxOptions options) throws IOException {
        if (!Files.isRegularFile(model)) {
            throw new NoSuchFileException(model.toString(), null, "no such model file");
        }
        if (Files.size(model) == 0) {
            throw new IOException(model + " is empty (0 bytes), expected an ONNX model file");
        }
        // The file's SHA-256 is computed while ONNX Runtime loads and optimises the model: in a fresh JVM the
        // digest runs mostly interpreted (a quarter of a second for a 6.6 MB model), ONNX Runtime on one core.
        FutureTask<String> sha = new FutureTask<>(() -> {
            try (InputStream in = Files.newInputStream(model)) {
                return sha256(in);
            }
        });
        Thread hasher = new Thread(sha, "ddpm4j-model-sha256");
        hasher.setDaemon(true);
        hasher.start();
        return create(options, model.getFileName().toString(), () -> result(sha),
                opts -> OrtRuntime.environment().createSession(model.toString(), opts));
    }

    /** Opens a model read from a stream (read fully, not closed). */
    public static OnnxDenoiser open(InputStream model, String name, OnnxOptions options) throws IOException {
        return open(model.readAllBytes(), name, options);
    }

    /** Opens a model held in memory; {@code name} is what messages call it. */
    public static OnnxDenoiser open(byte[] model, String name, OnnxOptions options) throws IOException {
        if (model.length == 0) {
            throw new IOException(name + " is empty (0 bytes), expected an ONNX model");
        }
        byte[] copy = model.clone();
        String sha = sha256(copy);
        return create(options, name, () -> sha, opts -> OrtRuntime.environment().createSession(copy, opts));
    }

    private interface Sha256Source {
        String get() throws IOException;
    }

    private static String result(FutureTask<String> sha) throws IOException {
        try {
            return sha.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while hashing the model file");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private interface SessionFactory {
        OrtSession create(OrtSession.SessionOptions options) throws OrtException;
    }

    private static OnnxDenoiser create(OnnxOptions options, String name, Sha256Source sha, SessionFactory factory)
            throws IOException {
        OrtEnvironment env = OrtRuntime.environment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setOptimizationLevel(options.optimization().level());
            if (options.intraOpThreads() > 0) {
                so.setIntraOpNumThreads(options.intraOpThreads());
            }
            Device used = addProvider(so, options);
            options.customizer().customize(so);
            OrtSession session;
            try {
                session = factory.create(so);
            } catch (OrtException e) {
                throw new IOException(name + ": not a loadable ONNX model (" + firstLine(e.getMessage()) + ")", e);
            }
            String digest;
            try {
                digest = sha.get();
            } catch (IOException | RuntimeException e) {
                session.close();
                throw e;
            }
            try {
                return new OnnxDenoiser(env, session, used, name, digest);
            } catch (OrtException e) {
                throw new IOException(name + ": cannot read the model's inputs, outputs or metadata ("
                        + firstLine(e.getMessage()) + ")", e);
            }
        } catch (OrtException e) {
            throw new IOException(name + ": cannot configure ONNX Runtime (" + firstLine(e.getMessage()) + ")", e);
        }
    }

    /** Adds the CUDA provider when asked; returns the device actually used. */
    private static Device addProvider(OrtSession.SessionOptions so, OnnxOptions options) {
        Device wanted = options.device();
        if (wanted.kind() == Device.Kind.CPU) {
            return Device.CPU;
        }
        Device cuda = Device.cuda(wanted.deviceId());
        String failure;
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            failure = "this ONNX Runtime build has no CUDA execution provider (available: "
                    + OrtEnvironment.getAvailableProviders() + ")";
        } else {
            try (OrtCUDAProviderOptions cudaOptions = new OrtCUDAProviderOptions(cuda.deviceId())) {
                cudaOptions.add("cudnn_conv_algo_search", "HEURISTIC");
                if (options.gpuMemLimit() > 0) {
                    cudaOptions.add("gpu_mem_limit", Long.toString(options.gpuMemLimit()));
                }
                so.addCUDA(cudaOptions);
                return cuda;
            } catch (OrtException | RuntimeException | LinkageError e) {
                failure = firstLine(e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }
        if (wanted.kind() == Device.Kind.AUTO) {
            options.warnings().accept("ddpm: CUDA is not available (" + failure + "); running on the CPU");
            return Device.CPU;
        }
        throw new IllegalStateException("cannot use device " + cuda + ": " + failure + "; " + CUDA_FIX);
    }

    private static List<TensorSpec> specs(Map<String, NodeInfo> nodes) {
        List<TensorSpec> out = new ArrayList<>();
        for (NodeInfo n : nodes.values()) {
            if (n.getInfo() instanceof TensorInfo t) {
                out.add(new TensorSpec(n.getName(), typeName(t.type), t.getShape()));
            } else {
                out.add(new TensorSpec(n.getName(), "non-tensor", new long[0]));
            }
        }
        return out;
    }

    private static String typeName(OnnxJavaType type) {
        return switch (type) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            case INT8 -> "int8";
            case INT16 -> "int16";
            case INT32 -> "int32";
            case INT64 -> "int64";
            case UINT8 -> "uint8";
            case BOOL -> "bool";
            case FLOAT16 -> "float16";
            case BFLOAT16 -> "bfloat16";
            case STRING -> "string";
            default -> "unknown";
        };
    }

    static String firstLine(String s) {
        if (s == null) {
            return "no message";
        }
        int nl = s.indexOf('\n');
        // ONNX Runtime prefixes some messages with its source file and a C++ signature: keep only the words
        return CPP_SOURCE.matcher((nl < 0 ? s : s.substring(0, nl)).trim()).replaceAll("");
    }

    /** {@code /onnxruntime_src/.../model.cc:177 onnxruntime::Model::Model(...) } before ONNX Runtime's own words. */
    private static final java.util.regex.Pattern CPP_SOURCE =
            java.util.regex.Pattern.compile("/onnxruntime_src/\\S+:\\d+ (\\S+::\\S+\\(.*?\\) )?(?=\\S)");

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    static String sha256(InputStream in) throws IOException {
        MessageDigest d = digest();
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
            d.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The parsed {@code ddpm.*} metadata. */
    public ModelInfo info() {
        return info;
    }

    /** The validated inputs and output. */
    public ModelSignature signature() {
        return signature;
    }

    /** The device the session runs on (auto resolved to cpu or cuda:N). */
    public Device device() {
        return device;
    }

    /** What messages call the model (its file name). */
    public String source() {
        return source;
    }

    /** SHA-256 of the model file, lower-case hex. */
    public String sha256() {
        return sha256;
    }

    /** ONNX Runtime's version. */
    public String runtimeVersion() {
        return env.getVersion();
    }

    /** Total nanoseconds spent inside {@code OrtSession.run} since opening (or {@link #resetStats()}). */
    public long runNanos() {
        return runNanos.sum();
    }

    /** Number of {@code OrtSession.run} calls since opening (or {@link #resetStats()}). */
    public long runCalls() {
        return runCalls.sum();
    }

    /** Zeroes {@link #runNanos()} and {@link #runCalls()}. */
    public void resetStats() {
        runNanos.reset();
        runCalls.reset();
    }

    @Override
    public int channels() {
        return info.channels();
    }

    @Override
    public int height() {
        return info.height();
    }

    @Override
    public int width() {
        return info.width();
    }

    @Override
    public Prediction prediction() {
        return info.prediction();
    }

    @Override
    public int classCount() {
        return signature.conditional() ? info.classCount().getAsInt() : 0;
    }

    /** Runs the model; a class-conditional model gets the null label (its unconditional prediction). */
    @Override
    public void predict(float[] sample, long[] timesteps, float[] out) {
        predict(sample, timesteps, null, out);
    }

    @Override
    public void predict(float[] sample, long[] timesteps, long[] labels, float[] out) {
        lifecycle.readLock().lock();
        try {
            if (closed.get()) {
                throw new IllegalStateException(source + ": the model is closed");
            }
            predictOpen(sample, timesteps, labels, out);
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    private void predictOpen(float[] sample, long[] timesteps, long[] labels, float[] out) {
        int batch = timesteps.length;
        int per = info.imageValues();
        if (batch == 0 || sample.length != batch * per || out.length != sample.length) {
            throw new IllegalArgumentException(source + ": expected " + batch + " x " + info.channels() + "x"
                    + info.height() + "x" + info.width() + " = " + batch * per + " values in and out, found "
                    + sample.length + " and " + out.length);
        }
        if (labels != null && !signature.conditional()) {
            throw new UnsupportedOperationException(source + ": the model is unconditional (no "
                    + MetadataKeys.CLASS_COUNT + "): it takes no class labels");
        }
        if (labels != null && labels.length != batch) {
            throw new IllegalArgumentException(source + ": expected " + batch + " class labels, found " + labels.length);
        }
        int chunk = fixedBatch > 0 ? fixedBatch : batch;
        if (batch % chunk != 0) {
            throw new IllegalArgumentException(source + ": the model has a fixed batch size of " + fixedBatch
                    + ", found a batch of " + batch + " (use a multiple of " + fixedBatch + ")");
        }
        IoBuffers io = borrow(chunk);
        try {
            for (int first = 0; first < batch; first += chunk) {
                io.run(sample, timesteps, labels, out, first, chunk, per);
            }
        } finally {
            pool.get(chunk).push(io);
        }
    }

    private IoBuffers borrow(int batch) {
        IoBuffers io = pool.computeIfAbsent(batch, b -> new ConcurrentLinkedDeque<>()).poll();
        if (io != null) {
            return io;
        }
        try {
            io = new IoBuffers(batch);
        } catch (OrtException e) {
            throw new IllegalStateException(source + ": cannot allocate ONNX Runtime tensors for batch " + batch
                    + ": " + e.getMessage(), e);
        }
        synchronized (allBuffers) {
            allBuffers.add(io);
        }
        return io;
    }

    /**
     * Releases the session and the native buffers; closing twice does nothing. Safe while calls run on other
     * threads: it waits for them to finish, and calls that start later fail with "the model is closed".
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        lifecycle.writeLock().lock();
        try {
            release();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private void release() {
        synchronized (allBuffers) {
            allBuffers.forEach(IoBuffers::close);
            allBuffers.clear();
        }
        pool.clear();
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(source + ": closing the ONNX Runtime session failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return source + " (" + info.summary() + ", " + device + ")";
    }

    /** Native input and output buffers for one batch size, reused across calls. */
    private final class IoBuffers implements AutoCloseable {
        private final FloatBuffer in;
        private final FloatBuffer outBuf;
        private final Buffer tBuf;
        private final Buffer labelBuf;
        private final OnnxTensor inTensor;
        private final OnnxTensor tTensor;
        private final OnnxTensor labelTensor;
        private final OnnxTensor outTensor;
        private final Map<String, OnnxTensor> inputs;
        private final Map<String, OnnxValue> pinned;

        IoBuffers(int batch) throws OrtException {
            int n = batch * info.imageValues();
            long[] shape = {batch, info.channels(), info.height(), info.width()};
            in = direct(n * 4L).asFloatBuffer();
            outBuf = direct(n * 4L).asFloatBuffer();
            boolean scalar = signature.timestep().scalar();
            int tn = scalar ? 1 : batch;
            long[] tShape = scalar ? new long[0] : new long[] {batch};
            inTensor = OnnxTensor.createTensor(env, in, shape);
            outTensor = OnnxTensor.createTensor(env, outBuf, shape);
            switch (signature.timestep().elementType()) {
                case "int64" -> {
                    LongBuffer b = direct(tn * 8L).asLongBuffer();
                    tBuf = b;
                    tTensor = OnnxTensor.createTensor(env, b, tShape);
                }
                case "int32" -> {
                    IntBuffer b = direct(tn * 4L).asIntBuffer();
                    tBuf = b;
                    tTensor = OnnxTensor.createTensor(env, b, tShape);
                }
                default -> {
                    FloatBuffer b = direct(tn * 4L).asFloatBuffer();
                    tBuf = b;
                    tTensor = OnnxTensor.createTensor(env, b, tShape);
                }
            }
            if (signature.conditional()) {
                long[] lShape = {batch};
                if (signature.classLabel().equals("int32")) {
                    IntBuffer b = direct(batch * 4L).asIntBuffer();
                    labelBuf = b;
                    labelTensor = OnnxTensor.createTensor(env, b, lShape);
                } else {
                    LongBuffer b = direct(batch * 8L).asLongBuffer();
                    labelBuf = b;
                    labelTensor = OnnxTensor.createTensor(env, b, lShape);
                }
                inputs = Map.of(signature.sample().name(), inTensor, "timestep", tTensor,
                        MetadataKeys.INPUT_CLASS_LABEL, labelTensor);
            } else {
                labelBuf = null;
                labelTensor = null;
                inputs = Map.of(signature.sample().name(), inTensor, "timestep", tTensor);
            }
            pinned = Map.of(signature.outputName(), outTensor);
        }

        void run(float[] sample, long[] timesteps, long[] labels, float[] out, int first, int count, int per) {
            in.put(0, sample, first * per, count * per);
            if (labelBuf != null) {
                long nullLabel = info.classCount().getAsInt();
                for (int i = 0; i < count; i++) {
                    long l = labels == null ? nullLabel : labels[first + i];
                    if (l < 0 || l > nullLabel) {
                        throw new IllegalArgumentException(source + ": class label " + l + " is out of range: expected 0.."
                                + (nullLabel - 1) + " (or " + nullLabel + ", the null label)");
                    }
                    if (labelBuf instanceof LongBuffer b) {
                        b.put(i, l);
                    } else {
                        ((IntBuffer) labelBuf).put(i, (int) l);
                    }
                }
            }
            if (signature.timestep().scalar()) {
                long t = timesteps[first];
                for (int i = first + 1; i < first + count; i++) {
                    if (timesteps[i] != t) {
                        throw new IllegalArgumentException(source + ": the model takes one scalar timestep per"
                                + " batch, found different timesteps " + t + " and " + timesteps[i]);
                    }
                }
                putTimestep(0, t);
            } else {
                for (int i = 0; i < count; i++) {
                    putTimestep(i, timesteps[first + i]);
                }
            }
            long start = System.nanoTime();
            try {
                // the result holds only the pinned output, which it does not own: closing it frees nothing of ours
                session.run(inputs, pinned).close();
                runNanos.add(System.nanoTime() - start);
                runCalls.increment();
            } catch (OrtException e) {
                throw new IllegalStateException(source + ": ONNX Runtime failed: " + firstLine(e.getMessage()), e);
            }
            outBuf.get(0, out, first * per, count * per);
        }

        private void putTimestep(int i, long t) {
            if (tBuf instanceof LongBuffer b) {
                b.put(i, t);
            } else if (tBuf instanceof IntBuffer b) {
                b.put(i, (int) t);
            } else {
                ((FloatBuffer) tBuf).put(i, (float) t);
            }
        }

        @Override
        public void close() {
            inTensor.close();
            tTensor.close();
            outTensor.close();
            if (labelTensor != null) {
                labelTensor.close();
            }
        }
    }

    private static ByteBuffer direct(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a batch of " + bytes + " bytes is too large for one call");
        }
        return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
    }
}
