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

    /**
     * A hint worth printing when PyTorch runs several threads while OpenMP threads busy-wait: on a
     * shared machine that can make every operation wait for a descheduled thread (measured on
     * 2 busy cores: tiny preset 6.9 s/step busy-waiting, 0.34 s/step with OMP_WAIT_POLICY=PASSIVE).
     * Returns null when there is nothing to say.
     */
    public static String waitPolicyHint() {
        String policy = System.getenv("OMP_WAIT_POLICY");
        if (policy != null || intraOpThreads() <= 1) {
            return null;
        }
        return "note: OMP_WAIT_POLICY is not set; if other processes share these cores, run with"
                + " OMP_WAIT_POLICY=PASSIVE (or --threads 1): busy-waiting OpenMP threads can slow training many times";
    }

    /** PyTorch's current intra-op thread count. */
    public static int intraOpThreads() {
        Engine.getEngine("PyTorch");
        return JniUtils.getNumThreads();
    }
}
