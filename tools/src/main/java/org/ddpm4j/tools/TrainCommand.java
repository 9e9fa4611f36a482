package org.ddpm4j.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.ddpm4j.runtime.schedule.ScheduleType;
import org.ddpm4j.trainer.checkpoint.Checkpoint;
import org.ddpm4j.trainer.checkpoint.CheckpointStore;
import org.ddpm4j.trainer.config.LossType;
import org.ddpm4j.trainer.config.TrainingConfig;
import org.ddpm4j.trainer.data.Datasets;
import org.ddpm4j.trainer.data.ImageDataset;
import org.ddpm4j.trainer.model.UnetSpec;
import org.ddpm4j.trainer.train.ConsoleProgress;
import org.ddpm4j.trainer.train.Devices;
import org.ddpm4j.trainer.train.Threads;
import org.ddpm4j.trainer.train.Trainer;
import org.ddpm4j.trainer.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ddpm train}: trains a DDPM UNet with checkpoints, resume, EMA, sample grids and a loss curve. */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
                "Train a DDPM noise predictor (UNet) on Fashion-MNIST or a folder of images.",
                "",
                "Example (how the shipped Fashion-MNIST model was trained, see its MODEL.md):",
                "  ddpm train --data fashion-mnist --preset fashion --dropout 0 --lr 4e-4 \\",
                "      --warmup 200 --ema-decay 0.999 --steps 20000 --out runs/fmnist",
                "Continue it later, to 40,000 steps in total:",
                "  ddpm train --resume --out runs/fmnist --steps 40000",
                "",
                "The run folder gets checkpoints/step-NNNNNNNN/ (weights, EMA weights,",
                "optimizer state, checkpoint.json), 'last' pointing at the newest,",
                "samples/step-NNNNNNNN.png (DDIM grids from the EMA weights), loss.csv and",
                "loss.png. --steps is the total to reach, so a resumed run continues exactly",
                "where its checkpoint left off. Ctrl-C loses only the steps since the last",
                "checkpoint.",
                ""})
public final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DATA", defaultValue = "fashion-mnist",
            description = "'fashion-mnist' (from $DDPM_FASHION_MNIST, else /usr/share/datasets/fashion-mnist), a folder with IDX files,"
                    + " or a folder of PNG/JPEG/GIF/BMP images at any depth. Default: ${DEFAULT-VALUE}.")
    String data;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "fashion",
            description = "UNet preset: tiny, fashion, ddpm-cifar, tinyimagenet64. Default: ${DEFAULT-VALUE}.")
    String preset;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder. Default: runs/<preset>.")
    Path out;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "20000",
            description = "Total training steps to reach (counting steps already done when resuming). Default: ${DEFAULT-VALUE}.")
    long steps;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "64", description = "Images per step. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "2e-4", description = "Adam learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--warmup", paramLabel = "STEPS", defaultValue = "500",
            description = "Linear learning-rate warm-up steps (0 = none). Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--loss", paramLabel = "KIND", defaultValue = "l2", description = "Loss on the noise: l1, l2, huber. Default: ${DEFAULT-VALUE}.")
    String loss;

    @Option(names = "--ema-decay", paramLabel = "D", defaultValue = "0.9999",
            description = "EMA decay of the weights (warmed up as min(D, (1+step)/(10+step))). Default: ${DEFAULT-VALUE}.")
    double emaDecay;

    @Option(names = "--grad-clip", paramLabel = "NORM", defaultValue = "1.0",
            description = "Clip the global gradient norm to this (0 = off). Default: ${DEFAULT-VALUE}.")
    double gradClip;

    @Option(names = "--schedule", paramLabel = "TYPE", defaultValue = "linear",
            description = "Noise schedule: linear, cosine, scaled_linear, sigmoid. Default: ${DEFAULT-VALUE}.")
    String schedule;

    @Option(names = "--timesteps", paramLabel = "T", defaultValue = "1000", description = "Diffusion steps T. Default: ${DEFAULT-VALUE}.")
    int timesteps;

    @Option(names = "--beta-start", paramLabel = "B", defaultValue = "1e-4", description = "beta_1 of beta-range schedules. Default: ${DEFAULT-VALUE}.")
    double betaStart;

    @Option(names = "--beta-end", paramLabel = "B", defaultValue = "0.02", description = "beta_T of beta-range schedules. Default: ${DEFAULT-VALUE}.")
    double betaEnd;

    @Option(names = "--image-size", paramLabel = "PX", description = "Override the preset's image size.")
    Integer imageSize;

    @Option(names = "--channels", paramLabel = "C", description = "Override the preset's channels (1 gray, 3 RGB).")
    Integer channels;

    @Option(names = "--dropout", paramLabel = "P", description = "Override the preset's dropout rate.")
    Double dropout;

    @Option(names = "--no-flip", description = "Do not flip training images left-right at random.")
    boolean noFlip;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of every random draw (weights, batches, t, noise, flips, dropout). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "1000",
            description = "Steps between checkpoints (one is always written at the end). Default: ${DEFAULT-VALUE}.")
    int checkpointEvery;

    @Option(names = "--sample-every", paramLabel = "N", defaultValue = "1000",
            description = "Steps between sample grids (0 = only at the end). Default: ${DEFAULT-VALUE}.")
    int sampleEvery;

    @Option(names = "--sample-count", paramLabel = "N", defaultValue = "64",
            description = "Images in each sample grid (0 = no grids). Default: ${DEFAULT-VALUE}.")
    int sampleCount;

    @Option(names = "--sample-steps", paramLabel = "N", defaultValue = "50",
            description = "DDIM steps for sample grids. Default: ${DEFAULT-VALUE}.")
    int sampleSteps;

    @Option(names = "--keep", paramLabel = "K", defaultValue = "3", description = "Checkpoints kept. Default: ${DEFAULT-VALUE}.")
    int keep;

    @Option(names = "--resume", paramLabel = "CHECKPOINT", arity = "0..1", fallbackValue = "",
            description = "Continue from a checkpoint folder, a run folder or its 'last' link;"
                    + " without a value, from --out. The model, schedule and optimiser settings come from the checkpoint.")
    String resume;

    @Option(names = "--device", paramLabel = "DEV", defaultValue = "cpu",
            description = "cpu, cuda, cuda:N or auto (CUDA needs the -Pcuda build). Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--threads", paramLabel = "N",
            description = "PyTorch threads per operation (default: PyTorch's choice, the number of cores).")
    Integer threads;

    @Override
    public Integer call() throws IOException {
        PrintStream err = System.err;
        if (threads != null) {
            Threads.setIntraOpThreads(threads);
        }
        ai.djl.Device dev = Devices.parse(device);
        if (steps < 1) {
            throw new IllegalArgumentException("--steps must be at least 1, found " + steps);
        }
        Checkpoint checkpoint = null;
        UnetSpec unet;
        TrainingConfig config;
        if (resume != null) {
            Path from = resume.isEmpty() ? requireOut() : Path.of(resume);
            checkpoint = Checkpoint.load(from);
            if (out == null) {
                out = runFolderOf(checkpoint.dir());
            }
            unet = checkpoint.spec();
            config = checkpoint.config();
            if (spec.commandLine().getParseResult().hasMatchedOption("--data")) {
                config = config.withData(data);
            }
            err.println("resuming " + checkpoint.dir() + " at step " + checkpoint.step()
                    + "; model, schedule and optimiser settings come from the checkpoint");
        } else {
            unet = UnetSpec.preset(preset);
            if (imageSize != null) {
                unet = unet.withImageSize(imageSize);
            }
            if (channels != null) {
                unet = unet.withChannels(channels);
            }
            if (dropout != null) {
                unet = unet.withDropout(dropout);
            }
            ScheduleType type = ScheduleType.fromId(schedule);
            NoiseSchedule.of(type, timesteps, betaStart, betaEnd); // validates the range
            config = new TrainingConfig(data, preset, batch, lr, warmup, 0.9, 0.999, 1e-8, gradClip,
                    LossType.fromId(loss), emaDecay, type.id(), timesteps, betaStart, betaEnd, seed, !noFlip);
            if (out == null) {
                out = Path.of("runs", preset);
            }
            if (!CheckpointStore.listCheckpoints(out.resolve(CheckpointStore.CHECKPOINTS)).isEmpty()) {
                throw new IllegalArgumentException(out + " already holds checkpoints: pass --resume to continue"
                        + " that run, or choose another --out");
            }
        }
        if (checkpoint != null && checkpoint.step() >= steps) {
            err.println("the checkpoint is already at step " + checkpoint.step() + " (--steps " + steps
                    + "): nothing to do; raise --steps to train further");
            return 0;
        }
        ImageDataset dataset = loadData(config.data(), unet, err);
        err.printf(Locale.ROOT, "%s: %,d images %dx%dx%d%s; UNet %s (%,d parameters); %s; batch %d, lr %.3g, loss %s, "
                        + "EMA %.5g; %s, PyTorch threads %d%n",
                dataset.description(), dataset.size(), unet.inChannels(), unet.imageSize(), unet.imageSize(),
                dataset.skipped() > 0 ? " (" + dataset.skipped() + " unreadable skipped)" : "",
                config.preset(), unet.parameterCount(), config.noiseSchedule(), config.batch(),
                config.learningRate(), config.loss(), config.emaDecay(), dev, Threads.intraOpThreads());
        String hint = Threads.waitPolicyHint();
        if (hint != null) {
            err.println(hint);
        }
        TrainingRun.Options options = new TrainingRun.Options(out, steps, checkpointEvery, sampleEvery, keep,
                sampleCount, sampleSteps, 0L);
        try (Trainer trainer = checkpoint == null ? Trainer.create(unet, config, dataset, dev)
                : Trainer.resume(checkpoint, config, dataset, dev)) {
            Path last = TrainingRun.run(trainer, options, new ConsoleProgress(err));
            err.println("done: step " + trainer.step() + ", last checkpoint " + last);
        }
        return 0;
    }

    private Path requireOut() {
        if (out == null) {
            throw new IllegalArgumentException("--resume without a value needs --out <run folder>");
        }
        return out;
    }

    /** checkpoints/step-N/ -> the run folder two levels up. */
    private static Path runFolderOf(Path checkpointDir) {
        Path parent = checkpointDir.getParent();
        if (parent != null && parent.getFileName().toString().equals(CheckpointStore.CHECKPOINTS)
                && parent.getParent() != null) {
            return parent.getParent();
        }
        return checkpointDir.resolveSibling(checkpointDir.getFileName() + "-resumed");
    }

    private static ImageDataset loadData(String data, UnetSpec unet, PrintStream err) throws IOException {
        boolean folder = !Datasets.FASHION_MNIST.equalsIgnoreCase(data.trim()) && Files.isDirectory(Path.of(data));
        if (!folder) {
            return Datasets.open(data, unet.imageSize(), unet.inChannels(), null);
        }
        int files = Datasets.listImages(Path.of(data)).size();
        if (files == 0) {
            return Datasets.open(data, unet.imageSize(), unet.inChannels(), null);
        }
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("decode").setInitialMax(files)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).setConsumer(
                        new me.tongfei.progressbar.ConsoleProgressBarConsumer(err)).build()) {
            return Datasets.open(data, unet.imageSize(), unet.inChannels(), bar::stepTo);
        }
    }
}
