package org.ddpm4j.spark;

import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.ddpm4j.fid.FeatureStatistics;
import org.ddpm4j.fid.IdxImageSource;
import org.ddpm4j.runtime.cli.ClassOptions;
import org.ddpm4j.runtime.cli.DeviceOption;
import org.ddpm4j.runtime.cli.ImageCountOptions;
import org.ddpm4j.runtime.cli.RuntimeOptions;
import org.ddpm4j.runtime.cli.SamplingOptions;
import org.ddpm4j.runtime.cli.SeedOption;
import org.ddpm4j.runtime.model.ClassLabels;
import org.ddpm4j.runtime.pipeline.SampleFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The command line of the Spark jobs: {@code ./ddpm-spark sample|fid --master local[N] ...} on one machine,
 * or {@code spark-submit --class org.ddpm4j.spark.DdpmSpark ddpm4j-spark.jar sample|fid ...} on a cluster
 * (there the master comes from spark-submit). Exit codes: 0 done, 2 bad input, 1 a job that failed.
 */
@Command(name = "ddpm-spark", mixinStandardHelpOptions = true,
        subcommands = {DdpmSpark.Sample.class, DdpmSpark.Fid.class},
        description = {"ddpm4j's sampling and FID jobs on Apache Spark.", "",
            "  ddpm-spark sample --master 'local[2]' --model models/fashion-mnist/model.onnx -n 1000 --out samples/",
            "  ddpm-spark fid --master 'local[2]' samples/ fashion-mnist-test", "",
            "Locations are local paths (taken literally) or Hadoop URIs (hdfs://, s3a://, file:/)."})
public final class DdpmSpark implements Callable<Integer> {

    /** Exit code of bad input. */
    public static final int EXIT_BAD_INPUT = 2;
    /** Exit code of a job that failed on the cluster. */
    public static final int EXIT_JOB_FAILED = 1;

    @Spec
    CommandSpec spec;

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams and returns its exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(new DdpmSpark());
        cmd.setOut(out).setErr(err);
        cmd.setExecutionExceptionHandler((ex, c, parsed) -> handle(ex, c));
        cmd.setParameterExceptionHandler((ex, a) -> {
            String name = ex.getCommandLine().getCommandSpec().qualifiedName();
            ex.getCommandLine().getErr().println(name + ": " + ex.getMessage());
            ex.getCommandLine().getErr().println("Try '" + name + " --help' for usage.");
            return EXIT_BAD_INPUT;
        });
        return cmd.execute(args);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return EXIT_BAD_INPUT;
    }

    static int handle(Exception ex, CommandLine cmd) {
        Throwable cause = ex instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : ex;
        String message;
        int code = EXIT_BAD_INPUT;
        if (cause instanceof NoSuchFileException n) {
            message = "file not found: " + n.getFile() + (n.getReason() != null ? " (" + n.getReason() + ")" : "");
        } else if (cause instanceof FileNotFoundException f) {
            message = "file not found: " + f.getMessage();
        } else if (cause instanceof SparkException s) {
            message = "the Spark job failed: " + firstLine(s.getMessage());
            code = EXIT_JOB_FAILED;
        } else {
            message = cause.getMessage() == null ? cause.toString() : firstLine(cause.getMessage());
            code = cause instanceof Error ? EXIT_JOB_FAILED : EXIT_BAD_INPUT;
        }
        cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + message);
        if (System.getenv("DDPM_DEBUG") != null) {
            ex.printStackTrace(cmd.getErr());
        }
        return code;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Options of both jobs: where Spark runs, and how the work is split. */
    static final class SparkOptions {
        @Option(names = "--master", paramLabel = "URL",
                description = "Spark master, e.g. local[2] (default: the one spark-submit sets).")
        String master;

        @Option(names = "--partitions", paramLabel = "P", defaultValue = "0",
                description = "Spark partitions (default 0: Spark's default parallelism).")
        int partitions;

        /**
         * The Spark context: the one already running in this JVM (a notebook, an application that calls
         * {@link DdpmSpark#run}), else a new one on {@code --master} or spark-submit's master.
         *
         * @throws IllegalArgumentException for a bad or missing master, before Spark starts
         */
        SparkRun open(String app) {
            if (master != null) {
                SparkMasters.check(master);
            }
            SparkConf conf = new SparkConf().setAppName(app);
            if (master != null) {
                conf.setMaster(master);
            }
            boolean running = org.apache.spark.SparkContext$.MODULE$.getActive().isDefined();
            if (!running && !conf.contains("spark.master")) {
                throw new IllegalArgumentException("no Spark master: pass --master local[N] (or spark://HOST:PORT, yarn, ...), "
                        + "or run through spark-submit");
            }
            conf.setIfMissing("spark.ui.showConsoleProgress", "true");
            if (conf.get("spark.master", "").startsWith("local")) {
                conf.setIfMissing("spark.ui.enabled", "false");
            }
            return new SparkRun(JavaSparkContext.fromSparkContext(SparkContext.getOrCreate(conf)), !running);
        }
    }

    /**
     * A Spark context for one command: stopped at the end only when the command started it.
     *
     * @param sc    the context
     * @param owned whether this command started it
     */
    record SparkRun(JavaSparkContext sc, boolean owned) implements AutoCloseable {
        @Override
        public void close() {
            if (owned) {
                sc.close();
            }
        }
    }

    /** {@code ddpm-spark sample}: the options and defaults of {@code ddpm sample} (the same mixins). */
    @Command(name = "sample", mixinStandardHelpOptions = true,
            description = {"Generate images from a ddpm4j ONNX model on Spark executors; image k uses seed --seed + k,",
                "so the files equal ddpm sample's whatever the partitioning. Writes manifest.csv (index, seed, file, sha256).",
                "--device is for tasks without a Spark GPU resource; a task given a GPU runs on CUDA at its address.",
                "--threads 0 (the default) gives each task its CPUs (spark.task.cpus). ddpm sample's --grid, --gif and",
                "--no-images are not taken: a cluster job writes the images and the manifest."})
    static final class Sample implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        SparkOptions sparkOptions;

        @Option(names = "--model", paramLabel = "PATH",
                description = "The ONNX model: a local path or any Hadoop URI (default: the shipped "
                        + "models/fashion-mnist/model.onnx).")
        String model;

        /** --sampler, --steps, --spacing, --eta, --variance, --clip, --clipped-model-output. */
        @Mixin
        SamplingOptions sampling;

        /** -n, --batch. */
        @Mixin
        ImageCountOptions images;

        @Mixin
        SeedOption seed;

        /** --class, --guidance. */
        @Mixin
        ClassOptions classes;

        @Option(names = "--like", paramLabel = "PNG",
                description = "Draw again the image a ddpm sample PNG (a local file) holds (one image unless -n is "
                        + "given): its model (checked by sha256), sampler, steps, spacing, eta, variance, clipping, "
                        + "seed, class and guidance; options given as well override them.")
        java.nio.file.Path like;

        @Option(names = "--out", paramLabel = "PATH", defaultValue = "samples",
                description = "Output folder: a local path or any Hadoop URI (default ${DEFAULT-VALUE}).")
        String out;

        @Option(names = "--files-per-folder", paramLabel = "F", defaultValue = "" + SampleLayout.SHARD_SIZE,
                description = "The most images in one folder: larger runs go to sub-folders of F images, named by "
                        + "their first index (default ${DEFAULT-VALUE}).")
        int filesPerFolder;

        /** --device, --threads (0: the task's CPUs, spark.task.cpus), --optimization. */
        @Mixin
        RuntimeOptions runtime;

        /** The job's settings from the options alone (checked). */
        SampleSettings settings() {
            return settings(Map.of(), 0);
        }

        /**
         * The job's settings: an option given on the command line, else the {@code --like} PNG's setting
         * ({@code likeText}, empty without one), else the option's default, as {@code ddpm sample} takes them.
         *
         * @param classCount the model's class count (the PNG's class is read against it)
         */
        SampleSettings settings(Map<String, String> likeText, int classCount) {
            String modelLocation = model != null ? model
                    : ShippedDefaults.require(ShippedDefaults.MODEL, "pass --model FILE (a local path or a Hadoop URI)")
                            .toString();
            LikeImage png = new LikeImage(like, likeText);
            String sampler = given("--sampler") ? sampling.sampler()
                    : likeText.getOrDefault(SampleFiles.KEY_SAMPLER_NAME, sampling.sampler());
            String spacing = sampling.spacing() != null ? sampling.spacing() : likeText.get(SampleFiles.KEY_SPACING);
            int n = given("-n") || like == null ? images.count() : 1;
            long first = given("--seed") || like == null ? seed.value() : png.longValue(SampleFiles.KEY_SEED);
            double eta = given("--eta") || !likeText.containsKey(SampleFiles.KEY_ETA) ? sampling.eta()
                    : png.doubleValue(SampleFiles.KEY_ETA);
            String variance = given("--variance") ? sampling.variance()
                    : likeText.getOrDefault(SampleFiles.KEY_VARIANCE, sampling.variance());
            boolean cmo = sampling.clippedModelOutput() != null ? sampling.clippedModelOutput()
                    : Boolean.parseBoolean(likeText.getOrDefault(SampleFiles.KEY_CLIPPED_MODEL_OUTPUT, "false"));
            Boolean clip = sampling.clip() != null ? sampling.clip()
                    : likeText.containsKey(SampleFiles.KEY_CLIP) ? Boolean.valueOf(likeText.get(SampleFiles.KEY_CLIP)) : null;
            Integer steps = sampling.steps() != null ? sampling.steps()
                    : likeText.containsKey(SampleFiles.KEY_STEPS) ? png.intValue(SampleFiles.KEY_STEPS) : null;
            String classValue = classes.value() != null ? classes.value() : png.classChoice(classCount);
            boolean nullLabel = ClassLabels.isNone(classValue);
            // the PNG's guidance belongs to its class: --class none typed with it draws at w = 1
            Double guidance = classes.guidance() != null ? classes.guidance()
                    : likeText.containsKey(SampleFiles.KEY_GUIDANCE) && !(nullLabel && classes.value() != null)
                            ? png.doubleValue(SampleFiles.KEY_GUIDANCE) : null;
            if (nullLabel && classes.value() == null && guidance != null && guidance != 1.0 && classCount > 0) {
                throw new IllegalArgumentException("--guidance " + guidance + " needs a class: " + like
                        + " was drawn without one (the null label); add --class NAME|LABEL");
            }
            return new SampleSettings(modelLocation, out, sampler, steps, n, first, images.batch(), eta, variance, spacing,
                    clip, cmo, classValue, guidance, runtime.device(), runtime.threads(),
                    runtime.optimization().name().toLowerCase(Locale.ROOT), sparkOptions.partitions, filesPerFolder, false);
        }

        private boolean given(String option) {
            return spec.commandLine().getParseResult() != null
                    && spec.commandLine().getParseResult().hasMatchedOption(option);
        }

        @Override
        public Integer call() throws Exception {
            Map<String, String> likeText = like != null ? LikeImage.read(like) : Map.of();
            SampleSettings s = settings(likeText, 0); // checks the options before Spark starts
            PrintWriter o = spec.commandLine().getOut();
            try (SparkRun run = sparkOptions.open("ddpm-spark sample")) {
                if (like != null) {
                    s = settings(likeText, LikeImage.checkModel(like, likeText, s.model(), run.sc().hadoopConfiguration()));
                }
                SampleJob.Summary r = SampleJob.run(run.sc(), s);
                o.printf("wrote %d %s to %s (%s%s), manifest %s%n", r.count(), r.count() == 1 ? "image" : "images",
                        r.out(), r.firstFile(), r.count() == 1 ? "" : " ... " + r.lastFile(), r.manifest());
                o.println(r.line());
                o.flush();
            }
            return 0;
        }
    }

    /** {@code ddpm-spark fid}: the sets and options of {@code ddpm fid}, features on executors. */
    @Command(name = "fid", mixinStandardHelpOptions = true,
            description = {"FID between two sets, features computed on Spark executors: a folder (any Hadoop path),",
                "fashion-mnist-train, fashion-mnist-test, model:FILE[?sampler=ddim&steps=50&n=1000&seed=0&eta=0], or a .fidstats file.",
                "Model samples are drawn on --device by tasks without a Spark GPU resource (a task given a GPU: CUDA at its address)."})
    static final class Fid implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        SparkOptions sparkOptions;

        @Parameters(arity = "2", paramLabel = "SET", description = "The two sets.")
        List<String> sets;

        @Option(names = "--extractor", paramLabel = "PATH",
                description = "Feature extractor ONNX: a local path or any Hadoop URI (default $DDPM_FID_EXTRACTOR, else the "
                        + "shipped models/fid/fashion-mnist-features.onnx).")
        String extractor;

        @Option(names = "--features", paramLabel = "OUTPUT", description = "The extractor output that holds the features (default: its metadata, else the first).")
        String features;

        @Option(names = {"-n", "--images"}, paramLabel = "N", defaultValue = "0",
                description = "At most N images per set (default 0: all; model sets: their n, else 1000).")
        long images;

        @Option(names = "--batch", paramLabel = "B", defaultValue = "64", description = "Images per batch (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "Fashion-MNIST IDX folder on the driver (default $DDPM_FASHION_MNIST, else /usr/share/datasets/fashion-mnist).")
        Path dataDir;

        @Mixin
        DeviceOption device;

        @Override
        public Integer call() throws Exception {
            String ex = extractor != null ? extractor : System.getenv("DDPM_FID_EXTRACTOR");
            if (ex == null) {
                ex = ShippedDefaults.require(ShippedDefaults.EXTRACTOR,
                        "pass --extractor FILE.onnx or set $DDPM_FID_EXTRACTOR").toString();
            }
            Path data = dataDir != null ? dataDir : System.getenv("DDPM_FASHION_MNIST") != null
                    ? Path.of(System.getenv("DDPM_FASHION_MNIST")) : IdxImageSource.DEFAULT_FASHION_MNIST;
            FidSettings s = new FidSettings(ex, features, images, batch, data.toString(), device.value(), sparkOptions.partitions);
            PrintWriter o = spec.commandLine().getOut();
            try (SparkRun run = sparkOptions.open("ddpm-spark fid")) {
                FidJob.Result r = FidJob.fid(run.sc(), sets.get(0), sets.get(1), s);
                for (FeatureStatistics st : List.of(r.a(), r.b())) {
                    st.fewImagesWarning(st.source()).ifPresent(w -> {
                        spec.commandLine().getErr().println(w);
                        spec.commandLine().getErr().flush();
                    });
                }
                o.println(r.line());
                o.printf(Locale.ROOT, "%d + %d images in %.1f s (%.1f images/s)%n", r.a().count(), r.b().count(), r.seconds(),
                        (r.a().count() + r.b().count()) / Math.max(1e-9, r.seconds()));
                o.flush();
            }
            return 0;
        }
    }
}
