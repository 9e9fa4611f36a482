package org.ddpm4j.trainer.model;

import ai.djl.pytorch.jni.JniUtils;

/**
 * A scope in which libtorch records nothing for autograd: the optimizer's and the EMA's updates run
 * in one. libtorch's grad mode is a per-thread setting and is on by default in every thread that
 * DJL's engine did not start with it off, so a trainer driven from another thread (a server, a test
 * runner, an executor) would otherwise record every update as part of the next step's graph. On
 * close the thread's previous mode is restored.
 */
public final class NoGrad implements AutoCloseable {

    static {
        ai.djl.engine.Engine.getEngine("PyTorch"); // loads libtorch and DJL's JNI library before the first call
    }

    private final boolean previous;

    private NoGrad() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    /** Turns grad mode off for this thread until {@link #close()}. */
    public static NoGrad enter() {
        return new NoGrad();
    }

    /** Whether this thread records operations for autograd now. */
    public static boolean recording() {
        return JniUtils.isGradMode();
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
