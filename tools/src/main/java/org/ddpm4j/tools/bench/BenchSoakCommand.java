package org.ddpm4j.tools.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.runtime.pipeline.GenerationRequest;
import org.ddpm4j.runtime.pipeline.GenerationResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ddpm bench soak}: a long run of the runtime to find crashes and leaks, not speed. First
 * DDPM-1000 batches on one session, then many short runs from several threads at once, each thread
 * opening and closing sessions of its own while also sharing one. It prints the resident memory
 * every interval and a summary (images, sessions, resident memory after warm-up and at the end); a
 * crash ends the process, an error in any thread ends the soak with exit code 1.
 */
@Command(name = "soak",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {"Soak the sampling runtime for crashes and leaks: DDPM-1000 batches, then short runs from"
                + " several threads with sessions opened and closed; prints resident memory over time.",
                "The resident set also grows as the collector first touches the committed heap; to see native memory"
                + " alone, touch it up front: DDPM_JAVA_OPTS='-Xms256m -Xmx256m -XX:+AlwaysPreTouch' ./ddpm bench soak ..."})
public final class BenchSoakCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "The ONNX model.")
    Path model;

    @Option(names = "--minutes", paramLabel = "M", defaultValue = "60", description = "Total duration (default ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--long-share", paramLabel = "F", defaultValue = "0.5",
            description = "Share of the time spent on DDPM-1000 batches (default ${DEFAULT-VALUE}).")
    double longShare;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "8", description = "Images per DDPM-1000 batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "3",
            description = "Threads drawing short runs in the second phase (default ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--report-every", paramLabel = "S", defaultValue = "60",
            description = "Seconds between memory lines (default ${DEFAULT-VALUE}).")
    int reportEvery;

    private final AtomicLong images = new AtomicLong();
    private final AtomicLong sessions = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    @Override
    public Integer call() throws Exception {
        if (!(minutes > 0) || !(longShare >= 0 && longShare <= 1) || batch < 1 || workers < 1 || reportEvery < 1) {
            throw new IllegalArgumentException("expected --minutes > 0, --long-share in [0, 1], --batch, --workers and"
                    + " --report-every >= 1; found " + minutes + ", " + longShare + ", " + batch + ", " + workers + ", "
                    + reportEvery);
        }
        Path file = model;
        PrintWriter out = spec.commandLine().getOut();
        long start = System.nanoTime();
        long end = start + (long) (minutes * 60e9);
        long longEnd = start + (long) (minutes * 60e9 * longShare);
        List<long[]> memory = new ArrayList<>();
        Thread reporter = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                long rss = PeakMemory.residentBytes();
                double s = (System.nanoTime() - start) / 1e9;
                synchronized (memory) {
                    memory.add(new long[] {(long) s, rss});
                }
                out.printf(Locale.ROOT, "%7.0f s  resident %7.1f MiB  heap committed %6.1f MiB  heap after GC %6.1f MiB"
                        + "  images %7d  sessions %5d%n", s, rss / 1048576.0, heapCommitted() / 1048576.0,
                        heapAfterGc() / 1048576.0, images.get(), sessions.get());
                out.flush();
                try {
                    Thread.sleep(reportEvery * 1000L);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "soak-report");
        reporter.setDaemon(true);
        reporter.start();
        OnnxOptions options = OnnxOptions.DEFAULTS.withThreads(2);
        try (DiffusionPipeline shared = DiffusionPipeline.open(file, options)) {
            sessions.incrementAndGet();
            long seed = 0;
            out.printf(Locale.ROOT, "phase 1: DDPM-1000 batches of %d until %.1f min%n", batch, minutes * longShare);
            while (System.nanoTime() < longEnd) {
                GenerationResult r = shared.generate(GenerationRequest.builder().optSampler("ddpm").optSteps(1000)
                        .optSeeds(seed, batch).build());
                check(r, batch);
                seed += batch;
            }
            out.printf(Locale.ROOT, "phase 2: short runs from %d threads, sessions opened and closed, until %.1f min%n",
                    workers, minutes);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int id = w;
                Thread t = new Thread(() -> shortRuns(id, shared, file, end), "soak-worker-" + w);
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
        } finally {
            reporter.interrupt();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        long warm;
        long last;
        synchronized (memory) {
            warm = memory.size() > 1 ? memory.get(1)[1] : memory.isEmpty() ? -1 : memory.get(0)[1];
            last = PeakMemory.residentBytes();
        }
        out.printf(Locale.ROOT, "soak: %.0f s, %d images, %d sessions, %d worker threads; resident %.1f MiB after"
                        + " warm-up, %.1f MiB at the end, peak %.1f MiB; heap after GC at the end %.1f MiB; %s%n", secs,
                images.get(), sessions.get(), workers, warm / 1048576.0, last / 1048576.0,
                PeakMemory.residentPeakBytes() / 1048576.0, heapAfterGc() / 1048576.0,
                failure.get() == null ? "no errors" : "FAILED: " + failure.get());
        out.flush();
        return failure.get() == null ? 0 : 1;
    }

    /**
     * The Java heap the JVM has committed: the resident set grows into it as the collector first touches its pages,
     * which looks like a leak in a long run unless the heap was touched up front ({@code -Xms} equal to {@code -Xmx}
     * and {@code -XX:+AlwaysPreTouch}).
     */
    static long heapCommitted() {
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    }

    /**
     * The Java heap in use after the last collection of each heap pool: what the heap holds, unlike the resident
     * set, which also counts heap the JVM has grown into and not given back.
     */
    static long heapAfterGc() {
        long sum = 0;
        for (java.lang.management.MemoryPoolMXBean pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP && pool.getCollectionUsage() != null) {
                sum += pool.getCollectionUsage().getUsed();
            }
        }
        return sum;
    }

    /** One worker: short runs, alternately on the shared session and on a session of its own opened and closed. */
    private void shortRuns(int id, DiffusionPipeline shared, Path file, long end) {
        long seed = 1_000_000L * (id + 1);
        int k = 0;
        try {
            while (System.nanoTime() < end && failure.get() == null) {
                int n = 1 + (k % 4);
                GenerationRequest req = GenerationRequest.builder().optSampler(k % 2 == 0 ? "dpmpp-sde" : "ddim")
                        .optSteps(5 + k % 11).optSeeds(seed, n).build();
                if (k % 3 == 0) {
                    try (DiffusionPipeline own = DiffusionPipeline.open(file, OnnxOptions.DEFAULTS.withThreads(1))) {
                        sessions.incrementAndGet();
                        check(own.generate(req), n);
                    }
                } else {
                    check(shared.generate(req), n);
                }
                seed += n;
                k++;
            }
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        }
    }

    private void check(GenerationResult r, int n) {
        float[] x = r.samples();
        for (float v : x) {
            if (!Float.isFinite(v)) {
                throw new IllegalStateException("a non-finite pixel value in a generated image");
            }
        }
        images.addAndGet(n);
    }
}
