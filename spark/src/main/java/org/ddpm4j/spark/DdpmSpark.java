package org.ddpm4j.spark;

import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.ddpm4j.fid.IdxImageSource;
import org.ddpm4j.runtime.cli.ClassOptions;
import org.ddpm4j.runtime.cli.DeviceOption;
import org.ddpm4j.runtime.cli.ImageCountOptions;
import org.ddpm4j.runtime.cli.SamplingOptions;
import org.ddpm4j.runtime.cli.SeedOption;
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
            "  ddpm-spark fid --master 'local[2]' samples/ fashion-mnist-test"})
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

        JavaSparkContext open(String app) {
            SparkConf conf = new SparkConf().setAppName(app);
            if (master != null) {
                conf.setMaster(master);
            }
            if (!conf.contains("spark.master")) {
                throw new IllegalArgumentException("no Spark master: pass --master local[N] (or spark://HOST:PORT, yarn, ...), "
                        + "or run through spark-submit");
            }
            conf.setIfMissing("spark.ui.showConsoleProgress", "true");
            if (conf.get("spark.master").startsWith("local")) {
                conf.setIfMissing("spark.ui.enabled", "false");
            }
            return new JavaSparkContext(conf);
        }
    }

    /** {@code ddpm-spark sample}: the options and defaults of {@code ddpm sample} (the same mixins). */
    @Command(name = "sample", mixinStandardHelpOptions = true,
            description = {"Generate images from a ddpm4j ONNX model on Spark executors; image k uses seed --seed + k,",
                "so the files equal ddpm sample's whatever the partitioning. Writes manifest.csv (index, seed, file, sha256).",
                "--device is for tasks without a Spark GPU resource; a task given a GPU runs on CUDA at its address."})
    static final class Sample implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        SparkOptions sparkOptions;

        @Option(names = "--model", paramLabel = "PATH", defaultValue = "models/fashion-mnist/model.onnx",
                description = "The ONNX model, any Hadoop path (default ${DEFAULT-VALUE}).")
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

        @Option(names = "--out", paramLabel = "PATH", defaultValue = "samples", description = "Output folder, any Hadoop path (default ${DEFAULT-VALUE}).")
        String out;

        @Mixin
        DeviceOption device;

        /** The job's settings from the options (checked). */
        SampleSettings settings() {
            return new SampleSettings(model, out, sampling.sampler(), sampling.steps(), images.count(), seed.value(),
                    images.batch(), sampling.eta(), sampling.variance(), sampling.spacing(), sampling.clip(),
                    sampling.clippedModelOutputOrDefault(), classes.value(), classes.guidance(), device.value(),
                    sparkOptions.partitions, false);
        }

        @Override
        public Integer call() throws Exception {
            SampleSettings s = settings();
            PrintWriter o = spec.commandLine().getOut();
            try (JavaSparkContext sc = sparkOptions.open("ddpm-spark sample")) {
                SampleJob.Summary r = SampleJob.run(sc, s);
                List<SampleJob.ImageRecord> written = r.images();
                o.printf("wrote %d images to %s (%s ... %s), manifest %s%n", written.size(), r.out(), written.get(0).file(),
                        written.get(written.size() - 1).file(), r.manifest());
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
                description = "Feature extractor ONNX, any Hadoop path (default $DDPM_FID_EXTRACTOR, else models/fid/fashion-mnist-features.onnx).")
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
                Path shipped = Path.of("models", "fid", "fashion-mnist-features.onnx");
                if (!Files.isRegularFile(shipped)) {
                    throw new IllegalArgumentException("no feature extractor: pass --extractor FILE.onnx, set $DDPM_FID_EXTRACTOR, "
                            + "or run from the repository root, where " + shipped + " is");
                }
                ex = shipped.toString();
            }
            Path data = dataDir != null ? dataDir : System.getenv("DDPM_FASHION_MNIST") != null
                    ? Path.of(System.getenv("DDPM_FASHION_MNIST")) : IdxImageSource.DEFAULT_FASHION_MNIST;
            FidSettings s = new FidSettings(ex, features, images, batch, data.toString(), device.value(), sparkOptions.partitions);
            PrintWriter o = spec.commandLine().getOut();
            try (JavaSparkContext sc = sparkOptions.open("ddpm-spark fid")) {
                FidJob.Result r = FidJob.fid(sc, sets.get(0), sets.get(1), s);
                o.println(r.line());
                o.printf(Locale.ROOT, "%d + %d images in %.1f s (%.1f images/s)%n", r.a().count(), r.b().count(), r.seconds(),
                        (r.a().count() + r.b().count()) / Math.max(1e-9, r.seconds()));
                o.flush();
            }
            return 0;
        }
    }
}
