package org.ddpm4j.trainer.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/** PyTorch's intra-op thread count. */
public final class Threads {

    private Threads() {
    }

    /** Sets the number of threads PyTorch uses inside each operation (loads the engine if needed). */
    public static void setIntraOpThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, found " + threads);
        }
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
    }

    /** PyTorch's current intra-op thread count. */
    public static int intraOpThreads() {
        Engine.getEngine("PyTorch");
        return JniUtils.getNumThreads();
    }
}
