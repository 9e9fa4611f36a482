package org.ddpm4j.runtime.onnx;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process-wide ONNX Runtime environment. Every ONNX Runtime user in ddpm4j gets its
 * environment here.
 *
 * <p>ONNX Runtime 1.29 reads the process's command line ({@code /proc/self/cmdline}) while it
 * creates its environment, with a recursion whose depth grows with the command line's length:
 * measured on the development machine, a JVM thread with the default 1 MiB stack overflows (SIGSEGV,
 * no JVM error report) once the command line passes about 4 KB, which a JVM started with a long
 * {@code -cp} (a test runner, an IDE, a Spark executor) easily has. With a short command line (the
 * {@code ddpm} launcher's {@code java -jar}) the calling thread is used as is; with a long one the
 * environment is created on a short-lived thread whose stack is sized to the command line (16 MiB,
 * or 1 KiB per byte of command line if that is more). {@code OrtOnMainThreadTest} in tools forks
 * JVMs with short and long command lines to keep both paths honest.
 *
 * <p>The native libraries are loaded from a per-version cache folder ({@link OrtNatives}) rather
 * than extracted to a new temporary folder by every process.
 */
public final class OrtRuntime {

    /** Command lines up to this many bytes load ONNX Runtime on the calling thread. */
    static final long SAFE_COMMAND_LINE_BYTES = 2048;
    private static final long MIN_INIT_STACK_BYTES = 16L << 20;
    private static volatile OrtEnvironment environment;

    private OrtRuntime() {
    }

    /**
     * The shared environment.
     *
     * @throws IllegalStateException when the native library cannot be loaded (with its error)
     */
    public static OrtEnvironment environment() {
        OrtEnvironment env = environment;
        if (env != null) {
            return env;
        }
        synchronized (OrtRuntime.class) {
            if (environment == null) {
                OrtNatives.useCache();
                long cmdline = commandLineBytes();
                environment = cmdline <= SAFE_COMMAND_LINE_BYTES ? load()
                        : loadOnThread(Math.max(MIN_INIT_STACK_BYTES, cmdline * 1024));
                OrtNatives.removeLoaderTemporaryFolder();
            }
            return environment;
        }
    }

    private static OrtEnvironment load() {
        try {
            return OrtEnvironment.getEnvironment();
        } catch (LinkageError | RuntimeException e) {
            String from = System.getProperty(OrtNatives.ORT_PATH_PROPERTY);
            throw new IllegalStateException("cannot load ONNX Runtime's native library"
                    + (from == null ? "" : " from " + from + " (-D" + OrtNatives.ORT_PATH_PROPERTY
                            + " or -D" + OrtNatives.CACHE_PROPERTY + " chooses another folder)")
                    + ": " + e.getMessage(), e);
        }
    }

    private static OrtEnvironment loadOnThread(long stackBytes) {
        OrtEnvironment[] made = new OrtEnvironment[1];
        RuntimeException[] failure = new RuntimeException[1];
        Thread t = new Thread(null, () -> {
            try {
                made[0] = load();
            } catch (RuntimeException e) {
                failure[0] = e;
            }
        }, "onnxruntime-init", stackBytes);
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading ONNX Runtime", e);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return made[0];
    }

    /** The length of this process's command line, 0 where the platform does not show it. */
    static long commandLineBytes() {
        Path cmdline = Path.of("/proc/self/cmdline");
        if (!Files.isReadable(cmdline)) {
            return 0;
        }
        try (InputStream in = Files.newInputStream(cmdline)) {
            return in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            return 0;
        }
    }
}
