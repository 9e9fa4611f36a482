package org.ddpm4j.fid;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.ddpm4j.runtime.cli.SamplingOptions;

/**
 * One side of a FID comparison, as named on the command line.
 *
 * <table>
 *   <caption>Syntax</caption>
 *   <tr><td>{@code path/to/folder}</td><td>the PNG/JPEG images in a folder (recursively)</td></tr>
 *   <tr><td>{@code fashion-mnist-train}, {@code fashion-mnist-test}</td><td>a Fashion-MNIST split (IDX files)</td></tr>
 *   <tr><td>{@code stats.fidstats} or {@code stats:path}</td><td>statistics saved with {@code --save-stats}</td></tr>
 *   <tr><td>{@code noise[:n=1000&seed=0&size=28&channels=1]}</td><td>seeded Gaussian noise images</td></tr>
 *   <tr><td>{@code model:m.onnx[?sampler=ddim&steps=50&n=1000&seed=0&eta=0&guidance=2&class=all]}</td><td>samples
 *   drawn from a model (samplers ddpm, ddim, dpmpp); {@code guidance} and {@code class} only for a
 *   class-conditional model</td></tr>
 * </table>
 */
public sealed interface ImageSet {

    /** Text for tables and messages. */
    String label();

    /** A folder of PNG/JPEG images. */
    record Folder(Path path) implements ImageSet {
        @Override
        public String label() {
            return path.toString();
        }
    }

    /** A Fashion-MNIST split ({@code train} or {@code test}) read from {@code folder}. */
    record FashionMnist(String split, Path folder) implements ImageSet {
        @Override
        public String label() {
            return "fashion-mnist-" + split;
        }
    }

    /** Saved statistics. */
    record Stats(Path file) implements ImageSet {
        @Override
        public String label() {
            return file.toString();
        }
    }

    /**
     * Seeded Gaussian noise images; a count of 0 means the image limit (else 1000), a size or channel
     * count of 0 means the extractor's input size and channels.
     */
    record Noise(int count, int channels, int height, int width, long seed) implements ImageSet {
        @Override
        public String label() {
            return "noise";
        }
    }

    /**
     * Samples from a model file.
     *
     * <p>A class-conditional model's image i (seed {@code seed + i}) is drawn for class
     * {@code (seed + i) mod K} (equal numbers per class, the class {@code ddpm sample} gives that seed)
     * unless {@code classes} names one class, or {@code none} (the null label: the model without a
     * class), with guidance scale {@code guidance} (1 when not given). An unconditional model refuses
     * both settings.
     *
     * @param model    the ONNX model
     * @param sampler  sampler name as the runtime names them: {@code ddpm}, {@code ddim} or {@code dpmpp}
     * @param steps    denoiser calls
     * @param count    number of samples (0: as many as the {@code -n} limit)
     * @param seed     seed of the first sample; sample i uses the runtime's per-image stream i
     * @param eta      DDIM eta (0 deterministic)
     * @param guidance classifier-free guidance scale w, or null when not given
     * @param classes  {@value #ALL_CLASSES}, a class name or a label number, none, or null when not given (all classes)
     */
    record ModelSamples(Path model, String sampler, int steps, int count, long seed, double eta, Double guidance,
            String classes) implements ImageSet {

        /** Validates the guidance scale. */
        public ModelSamples {
            if (guidance != null) {
                org.ddpm4j.runtime.pipeline.GenerationRequest.checkGuidance(guidance);
            }
            org.ddpm4j.runtime.pipeline.GenerationRequest.checkSeeds(seed, Math.max(1, count));
        }

        /** Samples without guidance or class settings (what an unconditional model takes). */
        public ModelSamples(Path model, String sampler, int steps, int count, long seed, double eta) {
            this(model, sampler, steps, count, seed, eta, null, null);
        }

        /** Whether guidance or a class was asked for (settings only a class-conditional model takes). */
        public boolean asksForClasses() {
            return guidance != null || classes != null;
        }

        @Override
        public String label() {
            String l = model.getFileName() + " " + sampler + "-" + steps;
            if (guidance != null) {
                l += "@w" + formatGuidance(guidance);
            }
            if (classes != null && !classes.equalsIgnoreCase(ALL_CLASSES)) {
                l += " class=" + classes;
            }
            return l;
        }
    }

    /** The {@code class=} value (and default) that draws every class in turn. */
    String ALL_CLASSES = "all";

    /** A guidance scale as short text: {@code 2}, {@code 1.5}. */
    static String formatGuidance(double w) {
        if (w == Math.rint(w) && Math.abs(w) < 1e15) {
            return Long.toString((long) w);
        }
        return Double.toString(w);
    }

    /** Syntax summary for error messages and help. */
    String SYNTAX = "a folder of PNG/JPEG images, a .fidstats file (or stats:FILE), fashion-mnist-train, "
            + "fashion-mnist-test, noise[:n=N&seed=S&size=HxW&channels=C], or model:m.onnx?sampler=ddim&steps=50&n=1000&seed=0"
            + "[&guidance=W&class=NAME|LABEL|all|none]";

    /**
     * Parses an image set name.
     *
     * @param text               the name
     * @param fashionMnistFolder where the Fashion-MNIST IDX files are
     * @throws IllegalArgumentException naming the accepted forms when {@code text} is none of them
     */
    public static ImageSet parse(String text, Path fashionMnistFolder) {
        String t = text.trim();
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.equals("fashion-mnist-train") || lower.equals("fashion-mnist-test")) {
            return new FashionMnist(lower.substring("fashion-mnist-".length()), fashionMnistFolder);
        }
        if (lower.startsWith("stats:")) {
            return new Stats(Path.of(t.substring("stats:".length())));
        }
        if (lower.equals("noise") || lower.startsWith("noise:")) {
            Map<String, String> q = query(t, lower.equals("noise") ? "" : t.substring("noise:".length()),
                    Set.of("n", "seed", "size", "channels"));
            int[] size = parseSize(t, q.getOrDefault("size", "0"));
            return new Noise(countValue(t, q), intValue(t, q, "channels", 0), size[0], size[1],
                    longValue(t, q, "seed", 0));
        }
        if (lower.startsWith("model:")) {
            String rest = t.substring("model:".length());
            int qm = rest.indexOf('?');
            String file = qm < 0 ? rest : rest.substring(0, qm);
            if (file.isEmpty()) {
                throw new IllegalArgumentException("image set '" + text + "' names no model file: expected model:m.onnx?...");
            }
            Map<String, String> q = query(t, qm < 0 ? "" : rest.substring(qm + 1),
                    Set.of("sampler", "steps", "n", "seed", "eta", "guidance", "class"));
            // ddpm sample's defaults: its sampler and steps (ddpm: all 1000 steps)
            String sampler = q.getOrDefault("sampler", SamplingOptions.DEFAULT_SAMPLER).toLowerCase(Locale.ROOT);
            int defaultSteps = sampler.equals("ddpm") ? 1000 : SamplingOptions.DEFAULT_STEPS;
            Double guidance = q.containsKey("guidance") ? doubleValue(t, q, "guidance", 1.0) : null;
            String classes = q.get("class");
            if (classes != null && classes.isEmpty()) {
                throw new IllegalArgumentException("image set '" + text + "': class must be a class name, a label number, "
                        + ALL_CLASSES + " or none, found nothing");
            }
            return new ModelSamples(Path.of(file), sampler, intValue(t, q, "steps", defaultSteps),
                    countValue(t, q), longValue(t, q, "seed", 0), doubleValue(t, q, "eta", 0.0), guidance, classes);
        }
        Path p = Path.of(t);
        if (Files.isDirectory(p)) {
            return new Folder(p);
        }
        if (Files.isRegularFile(p) && (lower.endsWith(FidStatsFile.EXTENSION) || FidStatsFile.looksLikeStats(p))) {
            return new Stats(p);
        }
        if (!Files.exists(p) && lower.endsWith(FidStatsFile.EXTENSION)) {
            return new Stats(p); // reading it reports the missing file
        }
        throw new IllegalArgumentException("unknown image set '" + text + "': expected " + SYNTAX
                + (Files.exists(p) ? " (" + text + " is a file but not a FID statistics file)" : " (no such file or folder)"));
    }

    private static Map<String, String> query(String text, String query, Set<String> allowed) {
        Map<String, String> out = new LinkedHashMap<>();
        if (query.isBlank()) {
            return out;
        }
        for (String part : query.split("[&,]")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("image set '" + text + "': expected key=value, found '" + part + "'");
            }
            String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException("image set '" + text + "': unknown key '" + key + "', expected one of "
                        + allowed.stream().sorted().toList());
            }
            if (out.put(key, part.substring(eq + 1).trim()) != null) {
                throw new IllegalArgumentException("image set '" + text + "': key '" + key + "' is given twice;"
                        + " give each key once");
            }
        }
        return out;
    }

    /** {@code n=}: at least 1 when given; 0 (the image limit) when not. */
    private static int countValue(String text, Map<String, String> q) {
        int n = intValue(text, q, "n", 0);
        if (q.containsKey("n") && n < 1) {
            throw new IllegalArgumentException("image set '" + text + "': n must be at least 1 image, found " + n
                    + " (leave n out for the -n limit)");
        }
        return n;
    }

    private static int intValue(String text, Map<String, String> q, String key, int def) {
        long v = longValue(text, q, key, def);
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("image set '" + text + "': " + key + " must be a non-negative integer, found " + v);
        }
        return (int) v;
    }

    private static long longValue(String text, Map<String, String> q, String key, long def) {
        String v = q.get(key);
        if (v == null) {
            return def;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("image set '" + text + "': " + key + " must be an integer, found '" + v + "'");
        }
    }

    private static double doubleValue(String text, Map<String, String> q, String key, double def) {
        String v = q.get(key);
        if (v == null) {
            return def;
        }
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("image set '" + text + "': " + key + " must be a number, found '" + v + "'");
        }
    }

    private static int[] parseSize(String text, String v) {
        String[] parts = v.toLowerCase(Locale.ROOT).split("x");
        try {
            if (parts.length == 1) {
                int s = Integer.parseInt(parts[0]);
                if (s >= 0) {
                    return new int[] {s, s};
                }
            } else if (parts.length == 2) {
                int h = Integer.parseInt(parts[0]);
                int w = Integer.parseInt(parts[1]);
                if (h > 0 && w > 0) {
                    return new int[] {h, w};
                }
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException("image set '" + text + "': size must be N or HxW, found '" + v + "'");
    }
}
