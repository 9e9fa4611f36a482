package org.ddpm4j.tools.fid;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.ddpm4j.exporter.classifier.ClassifierExportReport;
import org.ddpm4j.exporter.classifier.ClassifierExporter;
import org.ddpm4j.exporter.classifier.ClassifierParityException;
import org.ddpm4j.tools.CheckFailedException;
import org.ddpm4j.tools.FidCommand;
import org.ddpm4j.trainer.classifier.ClassifierSpec;
import org.ddpm4j.trainer.classifier.ClassifierTrainer;
import org.ddpm4j.trainer.classifier.ClassifierTrainingConfig;
import org.ddpm4j.trainer.classifier.LabeledImages;
import org.ddpm4j.trainer.train.GitInfo;
import org.ddpm4j.trainer.train.Threads;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ddpm fid train-extractor}: trains the small Fashion-MNIST classifier on the training split,
 * measures its accuracy on the test split, and exports it as the FID feature extractor (ONNX, with a
 * DJL vs ONNX Runtime parity check).
 */
@Command(name = "train-extractor",
        mixinStandardHelpOptions = true,
        description = {
            "Train the Fashion-MNIST feature classifier (train split only) and export it as a FID feature extractor.",
            "Its 'features' output (global-average-pooled last conv) is what 'ddpm fid' measures by default.",
            "",
            "Example: ddpm fid train-extractor --data fashion-mnist --epochs 3 --out models/fid/fashion-mnist-features.onnx",
        })
public final class ExtractorTrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DATA",
            description = "fashion-mnist (the installed copy: $" + FidCommand.DATA_ENV
                    + ", else /usr/share/datasets/fashion-mnist) or a folder holding train-/t10k- images and labels "
                    + "IDX files (default ${DEFAULT-VALUE}).", defaultValue = "fashion-mnist")
    String data;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the 60k training images (default ${DEFAULT-VALUE}).",
            defaultValue = "3")
    int epochs;

    @Option(names = "--batch", paramLabel = "B", description = "Images per step (default ${DEFAULT-VALUE}).", defaultValue = "128")
    int batch;

    @Option(names = "--lr", paramLabel = "LR", description = "Peak Adam learning rate, cosine-decayed to 0 (default ${DEFAULT-VALUE}).",
            defaultValue = "2e-3")
    double lr;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the initial weights and batch order (default ${DEFAULT-VALUE}).",
            defaultValue = "0")
    long seed;

    @Option(names = "--width", paramLabel = "W",
            description = "Channels of the first conv; the others have 2W and 4W, and 4W features (default ${DEFAULT-VALUE}).",
            defaultValue = "32")
    int width;

    @Option(names = "--threads", paramLabel = "N", description = "PyTorch threads per operation (default: PyTorch's choice).")
    Integer threads;

    @Option(names = "--tolerance", paramLabel = "TOL",
            description = "Parity tolerance of DJL vs ONNX Runtime, relative to max(1, max |output|) (default ${DEFAULT-VALUE}).",
            defaultValue = "1e-4")
    double tolerance;

    @Option(names = "--out", paramLabel = "FILE", description = "The ONNX file to write (default ${DEFAULT-VALUE}).",
            defaultValue = "models/fid/fashion-mnist-features.onnx")
    Path out;

    @Option(names = "--no-progress", description = "Do not draw a progress bar.")
    boolean noProgress;

    private static final int EVAL_BATCH = 500;
    private static final int PARITY_IMAGES = 16;

    @Override
    public Integer call() throws IOException {
        PrintStream err = System.err;
        PrintWriter outw = spec.commandLine().getOut();
        ClassifierTrainingConfig config = new ClassifierTrainingConfig(epochs, batch, lr, seed);
        if (threads != null) {
            Threads.setIntraOpThreads(threads);
        }
        Path dir = dataDir();
        LabeledImages train = LabeledImages.readIdx(dir, LabeledImages.Split.TRAIN);
        LabeledImages test = LabeledImages.readIdx(dir, LabeledImages.Split.TEST);
        if (train.height() != train.width()) {
            throw new IllegalArgumentException(train.description() + ": expected square images, found "
                    + train.height() + "x" + train.width());
        }
        ClassifierSpec cspec = new ClassifierSpec(1, train.height(), width, Math.max(10, train.classCount()));
        err.printf(Locale.ROOT, "train %s (%,d images), test %s (%,d images); classifier %,d parameters, %d features; "
                        + "%d epochs, batch %d, lr %.3g, seed %d; PyTorch threads %d%n",
                train.description(), train.size(), test.description(), test.size(), cspec.parameterCount(),
                cspec.featureDim(), epochs, batch, lr, seed, Threads.intraOpThreads());
        long t0 = System.nanoTime();
        double accuracy = 0;
        long steps;
        Map<String, float[]> weights;
        try (ClassifierTrainer trainer = new ClassifierTrainer(cspec, config, train)) {
            steps = trainer.totalSteps();
            for (int e = 0; e < epochs; e++) {
                double meanLoss;
                try (ProgressBar bar = bar("epoch " + (e + 1) + "/" + epochs, trainer.stepsPerEpoch(), err)) {
                    meanLoss = trainer.runEpoch(e, (step, total, loss) -> {
                        if (bar != null) {
                            bar.step();
                            bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f", loss));
                        }
                    });
                }
                accuracy = ClassifierTrainer.accuracy(trainer.model(), test, EVAL_BATCH);
                err.printf(Locale.ROOT, "epoch %d/%d: mean training loss %.4f, test accuracy %.4f (%.0f s so far)%n",
                        e + 1, epochs, meanLoss, accuracy, (System.nanoTime() - t0) / 1e9);
            }
            weights = trainer.model().weights();
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        Map<String, String> provenance = new LinkedHashMap<>();
        provenance.put("dataset", "fashion-mnist train split (" + train.size() + " images)");
        provenance.put("epochs", Integer.toString(epochs));
        provenance.put("steps", Long.toString(steps));
        provenance.put("batch", Integer.toString(batch));
        provenance.put("lr", Double.toString(lr));
        provenance.put("seed", Long.toString(seed));
        provenance.put("test_accuracy", String.format(Locale.ROOT, "%.4f", accuracy));
        provenance.put("test_images", Integer.toString(test.size()));
        provenance.put("train_seconds", String.format(Locale.ROOT, "%.0f", trainSeconds));
        String commit = GitInfo.commit();
        if (commit != null) {
            provenance.put("commit", commit);
        }
        int parityCount = Math.min(PARITY_IMAGES, test.size());
        int per = test.height() * test.width();
        float[] parity = new float[parityCount * per];
        for (int i = 0; i < parityCount; i++) {
            test.read(i, parity, i * per);
        }
        ClassifierExportReport report;
        try {
            report = ClassifierExporter.builder().setSpec(cspec).setWeights(weights).optProvenance(provenance)
                    .optTolerance(tolerance).optParityImages(parity).optProgress(err::println).build().export(out);
        } catch (ClassifierParityException e) {
            throw new CheckFailedException(e.getMessage());
        }
        outw.printf(Locale.ROOT, "test accuracy %.4f after %d epochs (%d steps, %.0f s of training)%n", accuracy, epochs,
                steps, trainSeconds);
        outw.printf(Locale.ROOT, "wrote %s (%,d bytes, %,d parameters); parity DJL vs ONNX Runtime on %d images: "
                        + "features %.2e, logits %.2e (tolerance %.1e)%n",
                report.file(), report.bytes(), report.parameters(), report.parityImages(), report.featuresError(),
                report.logitsError(), report.tolerance());
        outw.flush();
        return 0;
    }

    private Path dataDir() {
        if (!"fashion-mnist".equalsIgnoreCase(data.trim())) {
            return Path.of(data);
        }
        return FidCommand.fashionMnistFolder(null);
    }

    private ProgressBar bar(String name, long max, PrintStream err) {
        if (noProgress) {
            return null;
        }
        return org.ddpm4j.tools.ProgressBars.bar(name, max, " steps", err);
    }
}
