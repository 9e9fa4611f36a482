package org.ddpm4j.tools.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A closed-loop load generator for {@code ddpm serve}: N clients, each sending one single-image request
 * after another (a fresh seed each, so classes mix; after a 503, waiting as its {@code Retry-After} says), over
 * the JDK's HTTP client. After a warm-up it counts, over a measured window, the requests answered in it, their
 * latencies (p50, p95, p99), errors by status, and the mean merged batch size the server's {@code /metrics}
 * reports for the window.
 */
public final class LoadGenerator {

    /** The figures of one load level. */
    public record Level(int clients, double seconds, long ok, long errors, Map<Integer, Long> errorStatuses,
            double imagesPerSecond, double p50Ms, double p95Ms, double p99Ms, double meanBatch) {
    }

    private final URI base;
    private final HttpClient client;
    private final LongFunction<String> body;

    /**
     * @param base the server, e.g. {@code http://127.0.0.1:8080}
     * @param body the JSON body of the request with a given seed
     */
    public LoadGenerator(URI base, LongFunction<String> body) {
        this.base = base;
        this.body = body;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * Runs {@code clients} clients: at least {@code warmup}, and until every client has had one answer (so the
     * loop is in its steady state), then measures for {@code measure}: the requests answered inside that
     * window count for throughput and latency, whenever they were sent.
     */
    public Level run(int clients, Duration warmup, Duration measure, AtomicLong seeds) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long[] window = {Long.MAX_VALUE, Long.MAX_VALUE};
        CountDownLatch firstAnswers = new CountDownLatch(clients);
        List<long[]> latencies = new ArrayList<>();
        AtomicLong errors = new AtomicLong();
        Map<Integer, Long> statuses = new TreeMap<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            long[] mine = new long[1 << 16];
            int[] count = new int[1];
            Thread t = new Thread(() -> {
                boolean first = true;
                while (true) {
                    long end;
                    synchronized (window) {
                        end = window[1];
                    }
                    if (System.nanoTime() >= end) {
                        break;
                    }
                    long seed = seeds.getAndIncrement();
                    long sent = System.nanoTime();
                    int status;
                    long retry = 0;
                    try {
                        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(base.resolve("/v1/images"))
                                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(10))
                                .POST(HttpRequest.BodyPublishers.ofString(body.apply(seed))).build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                        status = r.statusCode();
                        retry = r.headers().firstValueAsLong("Retry-After").orElse(0);
                    } catch (IOException e) {
                        status = -1;
                    } catch (InterruptedException e) {
                        return;
                    }
                    long done = System.nanoTime();
                    if (first) {
                        first = false;
                        firstAnswers.countDown();
                    }
                    long from;
                    synchronized (window) {
                        from = window[0];
                        end = window[1];
                    }
                    if (done >= from && done <= end) {
                        if (status == 200) {
                            if (count[0] < mine.length) {
                                mine[count[0]++] = done - sent;
                            }
                        } else {
                            errors.incrementAndGet();
                            synchronized (statuses) {
                                statuses.merge(status, 1L, Long::sum);
                            }
                        }
                    }
                    if (status == 503 && retry > 0) {
                        // a well-behaved client waits as told (never past the end of the level)
                        long wait = Math.min(retry * 1_000_000_000L, end - System.nanoTime());
                        if (wait > 0) {
                            try {
                                Thread.sleep(wait / 1_000_000);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }
                }
                synchronized (latencies) {
                    latencies.add(Arrays.copyOf(mine, count[0]));
                }
            }, "load-client-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        sleepUntil(start + warmup.toNanos());
        firstAnswers.await();
        double[] before = batchMetrics();
        long from = System.nanoTime();
        long end = from + measure.toNanos();
        synchronized (window) {
            window[0] = from;
            window[1] = end;
        }
        sleepUntil(end);
        double[] after = batchMetrics();
        for (Thread t : threads) {
            t.join();
        }
        long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        double seconds = measure.toNanos() / 1e9;
        double batches = after[1] - before[1];
        double meanBatch = batches > 0 ? (after[0] - before[0]) / batches : Double.NaN;
        return new Level(clients, seconds, all.length, errors.get(), statuses, all.length / seconds,
                percentile(all, 50), percentile(all, 95), percentile(all, 99), meanBatch);
    }

    /** Nearest-rank percentile in milliseconds; NaN for none. */
    static double percentile(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sortedNanos.length);
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank - 1))] / 1e6;
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    private static final Pattern SUM = Pattern.compile("(?m)^ddpm_batch_images_sum (\\S+)$");
    private static final Pattern COUNT = Pattern.compile("(?m)^ddpm_batch_images_count (\\S+)$");

    /** The server's batch-size sum and count (NaN when it has no /metrics). */
    private double[] batchMetrics() throws InterruptedException {
        try {
            String text = client.send(HttpRequest.newBuilder(base.resolve("/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher s = SUM.matcher(text);
            Matcher c = COUNT.matcher(text);
            return s.find() && c.find() ? new double[] {Double.parseDouble(s.group(1)), Double.parseDouble(c.group(1))}
                    : new double[] {Double.NaN, Double.NaN};
        } catch (IOException e) {
            return new double[] {Double.NaN, Double.NaN};
        }
    }
}
