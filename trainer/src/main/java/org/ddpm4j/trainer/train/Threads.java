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

    /** glibc malloc settings under which libtorch keeps its large blocks (see {@link #mallocHint()}). */
    public static final String MALLOC_SETTINGS =
            "MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TOP_PAD_=268435456 MALLOC_TRIM_THRESHOLD_=1073741824";

    /**
     * A hint worth printing when glibc's malloc runs with its default settings on Linux: libtorch
     * allocates and frees blocks of several MiB per operation, and by default they are unmapped on
     * free and page-faulted in again on the next use. Measured: the fashion preset's training step at
     * batch 64 on 2 cores took 1.6 s with the defaults and 0.82 s with {@link #MALLOC_SETTINGS}
     * (which {@code ./ddpm} and the test runner set). Returns null when there is nothing to say.
     */
    public static String mallocHint() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return null;
        }
        for (String name : new String[] {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_TRIM_THRESHOLD_",
                "MALLOC_MMAP_MAX_", "GLIBC_TUNABLES", "LD_PRELOAD"}) {
            if (System.getenv(name) != null) {
                return null;
            }
        }
        return "note: glibc's malloc runs with its default settings, which make libtorch page-fault its large blocks"
                + " in again on every operation (about 2x slower training); set " + MALLOC_SETTINGS
                + " in the environment (./ddpm does)";
    }

    /** PyTorch's current intra-op thread count. */
    public static int intraOpThreads() {
        Engine.getEngine("PyTorch");
        return JniUtils.getNumThreads();
    }
}
