package org.ddpm4j.tools;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Turns SIGTERM and Ctrl-C (SIGINT) into a stop request that long native work can honour between
 * steps. Without it the JVM exits while a libtorch operation runs on the main thread, and libtorch's
 * global state is torn down under it: a SIGSEGV in libtorch, and the step in progress lost. With it,
 * the JVM's shutdown hook raises the flag and waits until {@link #close()} (the work finished, saved
 * and released its native memory), or at most {@code grace}.
 */
final class GracefulStop implements BooleanSupplier, AutoCloseable {

    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    GracefulStop(PrintStream err, String what, long graceSeconds) {
        this.hook = new Thread(() -> {
            requested.set(true);
            err.println();
            err.println(what + ": stop requested; finishing the step in progress and saving a checkpoint"
                    + " (up to " + graceSeconds + " s; kill -9 loses only the steps since the last checkpoint)");
            try {
                finished.await(graceSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ddpm-graceful-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Whether a stop was requested. */
    @Override
    public boolean getAsBoolean() {
        return requested.get();
    }

    /** The work is over: lets a waiting shutdown proceed, or unregisters the hook. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running and now returns
        }
    }
}
