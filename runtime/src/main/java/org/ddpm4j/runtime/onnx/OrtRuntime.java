package org.ddpm4j.runtime.onnx;

import ai.onnxruntime.OrtEnvironment;

/**
 * The process-wide ONNX Runtime environment, created once on a thread with a 16 MiB stack: loading
 * the native library from a thread with the JVM's default stack was seen to crash the JVM (SIGSEGV,
 * no error report) with the CLI's full class path (DJL's PyTorch natives alongside) on the
 * project's machine. Every ONNX Runtime user in ddpm4j should get its environment here.
 */
public final class OrtRuntime {

    private static final long INIT_STACK_BYTES = 16L << 20;
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
                OrtEnvironment[] made = new OrtEnvironment[1];
                Throwable[] failure = new Throwable[1];
                Thread t = new Thread(null, () -> {
                    try {
                        made[0] = OrtEnvironment.getEnvironment();
                    } catch (Throwable e) {
                        failure[0] = e;
                    }
                }, "onnxruntime-init", INIT_STACK_BYTES);
                t.start();
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while loading ONNX Runtime", e);
                }
                if (failure[0] != null) {
                    throw new IllegalStateException("cannot load ONNX Runtime's native library: "
                            + failure[0].getMessage(), failure[0]);
                }
                environment = made[0];
            }
            return environment;
        }
    }
}
