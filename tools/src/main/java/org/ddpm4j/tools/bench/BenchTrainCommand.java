package org.ddpm4j.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.ddpm4j.tools.OutputChecks;
import org.ddpm4j.runtime.noise.GaussianNoise;
import org.ddpm4j.trainer.config.TrainingConfig;
import org.ddpm4j.trainer.data.ImageDataset;
import org.ddpm4j.trainer.model.UnetSpec;
import org.ddpm4j.trainer.train.Threads;
import org.ddpm4j.trainer.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ddpm bench train}: times full training steps (forward, backward, clipping, Adam, EMA) of a
 * preset on synthetic images, after a warm-up, and reports the median.
 */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
                "Time training steps of a UNet preset on synthetic images.",
                "Warm-up, then the median of repeated steps (images/s, s/step) and peak memory, and the share",
                "of this CPU's matrix-multiply (SGEMM) rate the step reaches (3 x forward FLOPs per image).",
                "tools/scripts/throughput-compare.sh runs it next to the same step in plain PyTorch.",
                "Example: ddpm bench train --preset fashion --batch 64"})
public final class BenchTrainCommand implements Callable<Integer> {

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "fashion",
            description = "UNet preset: tiny, fashion, ddpm-cifar, tinyimagenet64. Default: ${DEFAULT-VALUE}.")
    String preset;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "64", description = "Images per step. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2", description = "Untimed steps first. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "5", description = "Timed steps. Default: ${DEFAULT-VALUE}.")
    int repeat;

    @Option(names = "--threads", paramLabel = "N", description = "PyTorch threads per operation (default: PyTorch's choice).")
    Integer threads;

    @Option(names = "--device", paramLabel = "DEV", defaultValue = "cpu",
            description = "cpu, cuda, cuda:N or auto. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--json", description = "Print the result as JSON instead of a table.")
    boolean json;

    @Option(names = "--profile", paramLabel = "FILE",
            description = "Also record PyTorch's profiler over the timed steps and write its trace (Chrome trace"
                    + " JSON, open in chrome://tracing or Perfetto; tools/scripts/profile-table.py sums it by"
                    + " operator). Profiling slows the steps it records.")
    java.nio.file.Path profile;

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || repeat < 1 || warmup < 0) {
            throw new IllegalArgumentException("--batch and --repeat must be at least 1 and --warmup at least 0, found "
                    + batch + ", " + repeat + ", " + warmup);
        }
        if (threads != null) {
            Threads.setIntraOpThreads(threads);
        }
        String hint = Threads.mallocHint();
        if (hint != null) {
            System.err.println(hint);
        }
        UnetSpec spec = UnetSpec.preset(preset);
        ImageDataset data = syntheticImages(Math.max(batch, 64), spec);
        TrainingConfig d = TrainingConfig.plain("synthetic", preset);
        TrainingConfig config = new TrainingConfig(d.data(), preset, batch, d.learningRate(), d.warmupSteps(),
                d.beta1(), d.beta2(), d.adamEps(), d.gradClip(), d.loss(), d.emaDecay(), d.schedule(),
                d.timesteps(), d.betaStart(), d.betaEnd(), 0L, true);
        double[] seconds = new double[repeat];
        double[] cpuSeconds = new double[repeat];
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (profile != null) {
            OutputChecks.writableFile("--profile", profile);
        }
        PeakMemory.resetHeapPeak();
        ai.djl.Device dev = org.ddpm4j.trainer.train.Devices.parse(device);
        try (Trainer trainer = Trainer.create(spec, config, data, dev)) {
            for (int i = 0; i < warmup; i++) {
                trainer.trainStep();
            }
            if (profile != null) {
                ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
            }
            for (int i = 0; i < repeat; i++) {
                long c0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                trainer.trainStep();
                seconds[i] = (System.nanoTime() - t0) / 1e9;
                cpuSeconds[i] = (os.getProcessCpuTime() - c0) / 1e9;
            }
            if (profile != null) {
                ai.djl.pytorch.jni.JniUtils.stopProfile(profile.toAbsolutePath().toString());
            }
        }
        double sgemm = dev.isGpu() ? Double.NaN : sgemmRate(dev);
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        double median = median(seconds);
        double imagesPerSecond = batch / median;
        long forwardFlops = spec.forwardFlops();
        double share = 3.0 * forwardFlops * batch / median / sgemm;
        double cpuMedian = median(cpuSeconds);
        double load = os.getSystemLoadAverage();
        long heap = PeakMemory.heapPeakBytes();
        long rss = PeakMemory.residentPeakBytes();
        int usedThreads = Threads.intraOpThreads();
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode n = mapper.createObjectNode();
            n.put("bench", "train");
            n.put("preset", preset);
            n.put("parameters", spec.parameterCount());
            n.put("batch", batch);
            n.put("threads", usedThreads);
            n.put("device", dev.toString());
            n.put("warmup_steps", warmup);
            n.put("timed_steps", repeat);
            n.put("median_seconds_per_step", median);
            n.put("images_per_second", imagesPerSecond);
            n.put("cpu_seconds_per_step", cpuMedian);
            n.put("load_average", load);
            n.put("min_seconds_per_step", sorted[0]);
            n.put("max_seconds_per_step", sorted[sorted.length - 1]);
            n.put("peak_heap_bytes", heap);
            n.put("peak_rss_bytes", rss);
            n.put("forward_flops_per_image", forwardFlops);
            n.put("sgemm_flops_per_second", sgemm);
            n.put("sgemm_share", share);
            System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(n));
        } else {
            System.out.printf(Locale.ROOT, "%-16s %s (%,d parameters)%n", "preset", preset, spec.parameterCount());
            System.out.printf(Locale.ROOT, "%-16s %d%n", "batch", batch);
            System.out.printf(Locale.ROOT, "%-16s %d%n", "threads", usedThreads);
            System.out.printf(Locale.ROOT, "%-16s %s%n", "device", dev);
            System.out.printf(Locale.ROOT, "%-16s %d warm-up, %d timed%n", "steps", warmup, repeat);
            System.out.printf(Locale.ROOT, "%-16s %.3f (min %.3f, max %.3f)%n", "s/step (median)", median, sorted[0],
                    sorted[sorted.length - 1]);
            System.out.printf(Locale.ROOT, "%-16s %.1f%n", "images/s", imagesPerSecond);
            System.out.printf(Locale.ROOT, "%-16s %.3f (process CPU time; median)%n", "CPU s/step", cpuMedian);
            System.out.printf(Locale.ROOT, "%-16s %.1f MFLOP/image forward; x3 x batch per step%n", "model",
                    forwardFlops / 1e6);
            if (!Double.isNaN(sgemm)) {
                System.out.printf(Locale.ROOT, "%-16s %.1f GFLOP/s (1024x1024 matMul, same threads); the step reaches %.0f%%%n",
                        "SGEMM", sgemm / 1e9, 100 * share);
            }
            System.out.printf(Locale.ROOT, "%-16s %.2f (other work slows the figures above)%n", "load average", load);
            System.out.printf(Locale.ROOT, "%-16s %.0f MiB%n", "peak JVM heap", heap / 1048576.0);
            System.out.printf(Locale.ROOT, "%-16s %s%n", "peak RSS", rss < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f MiB", rss / 1048576.0));
            if (profile != null) {
                System.out.printf(Locale.ROOT, "%-16s %s%n", "profile", profile);
            }
        }
        return 0;
    }

    /** FLOP/s of a 1024 x 1024 float32 matrix product through the engine (median of 10, after one untimed). */
    static double sgemmRate(ai.djl.Device dev) {
        int n = 1024;
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager(dev)) {
            ai.djl.ndarray.NDArray a = m.randomNormal(new ai.djl.ndarray.types.Shape(n, n));
            ai.djl.ndarray.NDArray b = m.randomNormal(new ai.djl.ndarray.types.Shape(n, n));
            a.matMul(b).close();
            double[] t = new double[10];
            for (int i = 0; i < t.length; i++) {
                long t0 = System.nanoTime();
                a.matMul(b).close();
                t[i] = (System.nanoTime() - t0) / 1e9;
            }
            return 2.0 * n * n * n / median(t);
        }
    }

    /** The median of {@code values} (the mean of the middle two for an even count); the array is left as is. */
    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Seeded random images shaped for {@code spec}. */
    static ImageDataset syntheticImages(int count, UnetSpec spec) {
        int per = spec.inChannels() * spec.imageSize() * spec.imageSize();
        byte[][] images = new byte[count][per];
        GaussianNoise rng = new GaussianNoise(1);
        for (byte[] img : images) {
            for (int i = 0; i < per; i++) {
                img[i] = (byte) rng.nextInt(256);
            }
        }
        return new ImageDataset("synthetic", spec.inChannels(), spec.imageSize(), images, 0);
    }
}
