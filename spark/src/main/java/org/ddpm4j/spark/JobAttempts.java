package org.ddpm4j.spark;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;

/**
 * The task attempts of the jobs one thread starts, counted until each has ended. A job's action returns as soon
 * as every partition has one successful attempt; a losing speculative copy or a straggler is killed then, but may
 * still write for a moment. The sampling job waits for them ({@link #awaitNoneRunning}) before it removes its
 * temporary folders, so that no attempt writes a temporary file after the cleanup.
 */
final class JobAttempts extends SparkListener implements AutoCloseable {

    /** The local property that marks the jobs counted here. */
    static final String PROPERTY = "ddpm4j.job.run";

    private final SparkContext sc;
    private final String run = UUID.randomUUID().toString();
    private final String previous;
    private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
    private final AtomicInteger running = new AtomicInteger();

    private JobAttempts(SparkContext sc) {
        this.sc = sc;
        this.previous = sc.getLocalProperty(PROPERTY);
    }

    /** Counts the attempts of the jobs this thread starts from now until {@link #close}. */
    static JobAttempts track(SparkContext sc) {
        JobAttempts a = new JobAttempts(sc);
        sc.addSparkListener(a);
        sc.setLocalProperty(PROPERTY, a.run);
        return a;
    }

    @Override
    public void onJobStart(SparkListenerJobStart job) {
        if (job.properties() != null && run.equals(job.properties().getProperty(PROPERTY))) {
            job.stageIds().foreach(id -> stages.add((Integer) id));
        }
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart task) {
        if (stages.contains(task.stageId())) {
            running.incrementAndGet();
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd task) {
        if (stages.contains(task.stageId())) {
            running.decrementAndGet();
        }
    }

    /**
     * Waits until every attempt that started has ended, at most {@code millis}.
     *
     * @return whether none runs any more
     */
    boolean awaitNoneRunning(long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000L;
        while (running.get() > 0 && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        return running.get() <= 0;
    }

    @Override
    public void close() {
        sc.setLocalProperty(PROPERTY, previous);
        sc.removeSparkListener(this);
    }
}
