package org.ddpm4j.serve;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.ddpm4j.runtime.sampling.Denoiser;
import org.ddpm4j.runtime.sampling.Prediction;

/** A denoiser that, once {@link #close() closed}, holds every call until {@link #open() opened}: work in flight on demand. */
final class GatedDenoiser implements Denoiser {

    private final Denoiser inner;
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private volatile CountDownLatch entered = new CountDownLatch(1);
    final AtomicInteger calls = new AtomicInteger();

    GatedDenoiser(Denoiser inner) {
        this.inner = inner;
    }

    /** From now on, calls wait until {@link #open}. */
    void close() {
        entered = new CountDownLatch(1);
        gate = new CountDownLatch(1);
    }

    /** Lets every waiting and later call through. */
    void open() {
        gate.countDown();
    }

    /** Waits until a call is held at the closed gate. */
    void awaitHeld() throws InterruptedException {
        if (!entered.await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("no denoiser call arrived within 30 s");
        }
    }

    private void pass() {
        calls.incrementAndGet();
        entered.countDown();
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public int channels() {
        return inner.channels();
    }

    @Override
    public int height() {
        return inner.height();
    }

    @Override
    public int width() {
        return inner.width();
    }

    @Override
    public Prediction prediction() {
        return inner.prediction();
    }

    @Override
    public int classCount() {
        return inner.classCount();
    }

    @Override
    public void predict(float[] sample, long[] timesteps, float[] out) {
        pass();
        inner.predict(sample, timesteps, out);
    }

    @Override
    public void predict(float[] sample, long[] timesteps, long[] labels, float[] out) {
        pass();
        inner.predict(sample, timesteps, labels, out);
    }
}
