package org.ddpm4j.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * The figures of one {@code ddpm bench sample}: one backend alone, ONNX Runtime paired with DJL, or several batches
 * at once paired with one batch on all threads.
 *
 * @param sampler      the sampler as run (name and steps)
 * @param model        the model's file name
 * @param checkpoint   the checkpoint of the DJL baseline, or null when none ran
 * @param weights      the baseline's weights (ema or raw), or null when none ran
 * @param steps        denoiser calls per image
 * @param batch        images per run
 * @param threads      the --threads setting (0: the engines' choice)
 * @param warmup       untimed runs of each backend
 * @param runs         timed runs of each backend (pairs when paired)
 * @param backends     per backend, in the order onnx, djl (or parallel, one-batch)
 * @param pairRatios   images-per-second ratio first/second of each pair (empty when not paired)
 * @param peakRssKb    the process's peak resident set (VmHWM) in KiB, -1 where unknown
 */
record SampleBenchResult(String sampler, String model, String checkpoint, String weights, int steps, int batch,
        int threads, int warmup, int runs, List<BackendFigures> backends, double[] pairRatios, long peakRssKb) {

    /**
     * One backend's medians.
     *
     * @param name        onnx or djl
     * @param description engine, version and device
     * @param summary     medians over its timed runs; {@code peakRssKb} there is the largest VmRSS seen right
     *                    after one of its runs
     */
    record BackendFigures(String name, String description, BenchSampleCommand.Summary summary) {
    }

    boolean paired() {
        return pairRatios.length > 0;
    }

    /** Whether the pair is ONNX Runtime against the DJL baseline. */
    private boolean againstDjl() {
        return backends.size() == 2 && backends.get(1).name().equals("djl");
    }

    /** The median of the per-pair ratios first/second (ORT/DJL) of images per second; NaN when not paired. */
    double ratio() {
        return paired() ? BenchSampleCommand.median(pairRatios) : Double.NaN;
    }

    /** The figures as a readable table. */
    void printTable(PrintWriter out) {
        out.printf(Locale.ROOT, "bench sample: %s, batch %d, %d warm-up + %d %s, threads %s%n", sampler, batch, warmup,
                runs, paired() ? "interleaved pairs" : "runs", threads == 0 ? "auto" : Integer.toString(threads));
        out.printf("  model %s%s%n", model, checkpoint == null ? "" : ", baseline checkpoint " + checkpoint
                + " (" + weights + " weights)");
        for (BackendFigures b : backends) {
            out.printf("  %-5s %s%n", b.name(), b.description());
        }
        out.printf(Locale.ROOT, "%-28s", "");
        backends.forEach(b -> out.printf(Locale.ROOT, "%12s", b.name()));
        out.println();
        row(out, "images/s (median)", b -> String.format(Locale.ROOT, "%.2f", b.imagesPerSecond()));
        row(out, "ms per denoiser call", b -> String.format(Locale.ROOT, "%.2f", b.msPerCall()));
        row(out, "s per run", b -> String.format(Locale.ROOT, "%.3f", b.secondsPerRun()));
        row(out, "outside the backend", b -> String.format(Locale.ROOT, "%.2f%%", 100 * b.outsideShare()));
        out.println("  (outside the backend: Java work per sampling step; the ORT target is < 3%; batches at once"
                + " overlap their engine time, so 0% there)");
        if (paired()) {
            row(out, "RSS after its runs (max)", b -> mib(b.peakRssKb()));
            StringBuilder each = new StringBuilder();
            for (double r : pairRatios) {
                each.append(each.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", r));
            }
            String of = againstDjl() ? "ORT/DJL" : backends.get(0).name() + "/" + backends.get(1).name();
            out.printf(Locale.ROOT, "%-28s%12s  (median of per-pair ratios: %s)%n", "ratio " + of + " images/s",
                    String.format(Locale.ROOT, "%.2fx", ratio()), each);
        }
        out.printf(Locale.ROOT, "%-28s%12s%n", "peak RSS (VmHWM, process)", mib(peakRssKb));
        out.flush();
    }

    private void row(PrintWriter out, String label, java.util.function.Function<BenchSampleCommand.Summary, String> f) {
        out.printf(Locale.ROOT, "%-28s", label);
        backends.forEach(b -> out.printf(Locale.ROOT, "%12s", f.apply(b.summary())));
        out.println();
    }

    private static String mib(long kb) {
        return kb < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f MiB", kb / 1024.0);
    }

    /** The figures as JSON (snake_case keys; seconds, KiB). */
    ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode n = mapper.createObjectNode();
        n.put("bench", "sample");
        n.put("mode", paired() ? "paired" : "single");
        n.put("model", model);
        if (checkpoint != null) {
            n.put("checkpoint", checkpoint);
            n.put("weights", weights);
        }
        n.put("sampler", sampler);
        n.put("steps", steps);
        n.put("batch", batch);
        n.put("threads", threads);
        n.put("warmup_runs", warmup);
        n.put(paired() ? "pairs" : "timed_runs", runs);
        ObjectNode bs = n.putObject("backends");
        for (BackendFigures b : backends) {
            BenchSampleCommand.Summary s = b.summary();
            ObjectNode o = bs.putObject(b.name());
            o.put("description", b.description());
            o.put("images_per_second", s.imagesPerSecond());
            o.put("ms_per_denoiser_call", s.msPerCall());
            o.put("seconds_per_run", s.secondsPerRun());
            o.put("outside_backend_share", s.outsideShare());
            o.put(paired() ? "rss_after_runs_kb" : "peak_rss_kb", s.peakRssKb());
        }
        if (paired()) {
            n.put(againstDjl() ? "ratio_onnx_over_djl" : "ratio_" + backends.get(0).name().replace('-', '_') + "_over_"
                    + backends.get(1).name().replace('-', '_'), ratio());
            ArrayNode a = n.putArray("pair_ratios");
            for (double r : pairRatios) {
                a.add(r);
            }
        }
        n.put("peak_rss_kb", peakRssKb);
        return n;
    }
}
