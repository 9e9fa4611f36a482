package org.ddpm4j.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.ddpm4j.runtime.io.RunFolderLock;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.ddpm4j.runtime.schedule.ScheduleType;
import org.ddpm4j.trainer.checkpoint.Checkpoint;
import org.ddpm4j.trainer.checkpoint.CheckpointStore;
import org.ddpm4j.trainer.config.LossType;
import org.ddpm4j.trainer.config.LrSchedule;
import org.ddpm4j.trainer.config.Objective;
import org.ddpm4j.trainer.config.Recipe;
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
                "",
                "Class-conditional (classifier-free guidance): add --classes; labels come from",
                "Fashion-MNIST's label file or from the first folder level of an image folder.",
                "Turn an unconditional run into a conditional one (new run folder; weights, EMA",
                "and Adam state carried over, the class embedding starting at zero):",
                "  ddpm train --init-from runs/fmnist --classes --out runs/fmnist-cond --steps 60000",
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

    @Option(names = "--steps", paramLabel = "N", defaultValue = Recipe.STEPS_TEXT,
            description = "Total training steps to reach (counting steps already done when resuming). Default: ${DEFAULT-VALUE}.")
    long steps;

    @Option(names = "--batch", paramLabel = "N", defaultValue = Recipe.BATCH_TEXT, description = "Images per step. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = Recipe.LEARNING_RATE_TEXT,
            description = "Adam's peak learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(names = "--warmup", paramLabel = "STEPS", defaultValue = Recipe.WARMUP_TEXT,
            description = "Linear learning-rate warm-up steps (0 = none). Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--loss", paramLabel = "KIND", defaultValue = "l2", description = "Loss on the noise: l1, l2, huber. Default: ${DEFAULT-VALUE}.")
    String loss;

    @Option(names = "--ema-decay", paramLabel = "D", defaultValue = Recipe.EMA_DECAY_TEXT,
            description = "EMA decay of the weights (warmed up as min(D, (1+step)/(10+step))). Default: ${DEFAULT-VALUE}.")
    double emaDecay;

    @Option(names = "--grad-clip", paramLabel = "NORM", defaultValue = Recipe.GRAD_CLIP_TEXT,
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

    @Option(names = "--prediction", paramLabel = "TARGET", defaultValue = Recipe.PREDICTION,
            description = "What the network learns to predict: epsilon (the noise), sample (x0) or v"
                    + " (a eps - s x0). Exported as ddpm.prediction. Default: ${DEFAULT-VALUE}"
                    + " (with min-snr, the best recipe with the default sampler in docs/ABLATION.md;"
                    + " v was best with DPM-Solver++ and DDIM).")
    String prediction;

    @Option(names = "--loss-weighting", paramLabel = "KIND", defaultValue = Recipe.LOSS_WEIGHTING,
            description = "Loss weight over timesteps: none, or min-snr (Hang et al. 2023: min(SNR, gamma) in"
                    + " x0 terms, written for each target). Default: ${DEFAULT-VALUE} (better than none with every"
                    + " sampler in docs/ABLATION.md).")
    String lossWeighting;

    @Option(names = "--snr-gamma", paramLabel = "G", defaultValue = Recipe.SNR_GAMMA_TEXT,
            description = "gamma of --loss-weighting min-snr. Default: ${DEFAULT-VALUE}.")
    double snrGamma;

    @Option(names = "--lr-schedule", paramLabel = "KIND", defaultValue = Recipe.LR_SCHEDULE,
            description = "Learning rate after warm-up: constant, or cosine (the peak until --lr-decay-from, then"
                    + " down to --lr-floor x the peak at --steps). Default: ${DEFAULT-VALUE}.")
    String lrSchedule;

    @Option(names = "--lr-floor", paramLabel = "F", defaultValue = Recipe.LR_FLOOR_TEXT,
            description = "Where a cosine schedule ends, as a share of --lr. Default: ${DEFAULT-VALUE}.")
    double lrFloor;

    @Option(names = "--lr-decay-from", paramLabel = "STEP",
            description = "Step where a cosine schedule starts to fall, holding --lr until then (warm-up, stable,"
                    + " decay). Default: a new run cools down over its last fifth (step 9600 of 12000); 0 falls from the end"
                    + " of warm-up; the resumed step when --resume switches"
                    + " a run to cosine, so the rest of the run cools down. On a cosine run resumed with --override"
                    + " lr-decay-from, a new cool-down from STEP to --steps.")
    Long lrDecayFrom;

    @Option(names = "--image-size", paramLabel = "PX", description = "Override the preset's image size.")
    Integer imageSize;

    @Option(names = "--channels", paramLabel = "C", description = "Override the preset's channels (1 gray, 3 RGB).")
    Integer channels;

    @Option(names = "--dropout", paramLabel = "P",
            description = "Dropout inside residual blocks. Default: " + Recipe.DROPOUT_TEXT + " (the recipe; the presets"
                    + " carry the DDPM paper's 0.1, which --dropout 0.1 restores).")
    Double dropout;

    @Option(names = "--flip", negatable = true, defaultValue = Recipe.FLIP_TEXT, fallbackValue = "true",
            description = "Flip training images left-right at random (--flip) or not (--no-flip, the default). For"
                    + " data without a preferred orientation; not for Fashion-MNIST, whose garments all face one way:"
                    + " its training images, half of them flipped, score FID 21.8 against the test set, unflipped 5.2"
                    + " (docs/ABLATION.md).")
    boolean flip;

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

    @Option(names = "--override", paramLabel = "KEY", split = ",",
            description = "With --resume: let these typed options replace the checkpoint's values"
                    + " (data, batch, lr, warmup, loss, ema-decay, grad-clip, seed, flip, dropout, label-dropout,"
                    + " loss-weighting, snr-gamma, lr-schedule, lr-floor, lr-decay-from). Without it,"
                    + " an option that contradicts the checkpoint is an error.")
    List<String> overrides;

    @Option(names = "--classes", negatable = true,
            description = "Train a class-conditional model (classifier-free guidance) on the data set's labels"
                    + " (--no-classes: an unconditional one). Default: class-conditional when the data has labels"
                    + " (Fashion-MNIST's label file, or one folder per class), for a new run.")
    Boolean classes;

    @Option(names = "--eval-every", paramLabel = "N", defaultValue = "0",
            description = "Score the EMA weights every N steps and at the end (0 = never): FID and class accuracy of"
                    + " --eval-n images drawn with --eval-setting through ONNX Runtime, into fid.csv and fid.png"
                    + " (FID against training hours). Its time is reported apart from training. Default: ${DEFAULT-VALUE}.")
    int evalEvery;

    @Option(names = "--eval-n", paramLabel = "M", defaultValue = "1000",
            description = "Images per evaluation (seeds 0..M-1, the image of seed s for class s mod K). Default: ${DEFAULT-VALUE}.")
    int evalImages;

    @Option(names = "--eval-setting", paramLabel = "SETTING", defaultValue = "dpmpp-sde-20",
            description = "Sampler setting of evaluations, as ddpm fid --settings. Default: ${DEFAULT-VALUE} (ddpm sample's default).")
    String evalSetting;

    @Option(names = "--eval-reference", paramLabel = "SET", defaultValue = "fashion-mnist-test",
            description = "Reference set of evaluations, as ddpm fid takes it. Default: ${DEFAULT-VALUE}.")
    String evalReference;

    @Option(names = "--eval-extractor", paramLabel = "FILE",
            description = "Feature extractor of evaluations. Default: the shipped " + "models/fid/fashion-mnist-features.onnx.")
    Path evalExtractor;

    @Option(names = "--label-dropout", paramLabel = "P",
            description = "With --classes: share of labels replaced by the null label, so the model also learns"
                    + " the unconditional prediction. Default: 0.1.")
    Double labelDropout;

    @Option(names = "--init-from", paramLabel = "CHECKPOINT",
            description = "Start a new run in --out from this checkpoint (folder, run folder or 'last'): its"
                    + " model, weights, EMA, Adam state, step and settings; with --classes the model becomes"
                    + " class-conditional, the class embedding starting at zero.")
    Path initFrom;

    @Option(names = "--device", paramLabel = "DEV", defaultValue = "cpu",
            description = "cpu, cuda, cuda:N or auto (CUDA needs the -Pcuda build). Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--threads", paramLabel = "N",
            description = "PyTorch threads per operation (default: PyTorch's choice, the number of cores).")
    Integer threads;

    /** The lock on the run folder, held from before the data loads to the end of the run. */
    private RunFolderLock runLock;

    @Override
    public Integer call() throws IOException {
        try {
            return train();
        } finally {
            if (runLock != null) {
                runLock.close(); // and removes a run folder it created when nothing was written there
            }
        }
    }

    private Integer train() throws IOException {
        PrintStream err = System.err;
        if (threads != null) {
            Threads.setIntraOpThreads(threads);
        }
        ai.djl.Device dev = Devices.parse(device);
        if (steps < 1) {
            throw new IllegalArgumentException("--steps must be at least 1, found " + steps);
        }
        TrainOutputChecks.checkpointSettings(checkpointEvery, keep);
        Checkpoint checkpoint = null;
        UnetSpec unet;
        TrainingConfig config;
        if (labelDropout != null && Boolean.FALSE.equals(classes)) {
            throw new IllegalArgumentException("--label-dropout needs a class-conditional model, not --no-classes");
        }
        if (evalEvery < 0) {
            throw new IllegalArgumentException("--eval-every must be 0 (never) or a positive number of steps, found "
                    + evalEvery);
        }
        if (evalEvery > 0 && evalImages < 2) {
            throw new IllegalArgumentException("--eval-n must be at least 2 images (1000 or more to compare models),"
                    + " found " + evalImages);
        }
        if (initFrom != null && resume != null) {
            throw new IllegalArgumentException("--init-from starts a new run and --resume continues one: pass one of them");
        }
        org.ddpm4j.exporter.ModelSource pretrained = initFrom != null
                && org.ddpm4j.trainer.model.DiffusersUnet.isDiffusersFolder(initFrom)
                ? org.ddpm4j.exporter.diffusers.DiffusersPipeline.read(initFrom, null) : null;
        Checkpoint initial = initFrom == null || pretrained != null ? null : Checkpoint.load(initFrom);
        if (initial != null) {
            unet = initial.spec();
            config = initial.config();
            if (spec.commandLine().getParseResult().hasMatchedOption("--data")) {
                config = config.withData(data);
            }
            if (out == null) {
                throw new IllegalArgumentException("--init-from needs --out <new run folder>");
            }
            requireNoCheckpoints();
            if (initial.step() >= steps) {
                throw new IllegalArgumentException("--steps " + steps + " is not beyond the checkpoint's step "
                        + initial.step() + ": --steps is the total to reach");
            }
            lockRunFolder();
            err.println("starting " + out + " from " + initial.dir() + " at step " + initial.step());
        } else if (resume != null) {
            Path from = resume.isEmpty() ? requireOut() : Path.of(resume);
            checkpoint = Checkpoint.loadForResume(from, err::println);
            if (out == null) {
                out = runFolderOf(checkpoint.dir());
            }
            lockRunFolder(); // before a word is printed: a second trainer is refused at once
            ResumeSettings.Resolved resolved = ResumeSettings.resolve(checkpoint.dir(), checkpoint.spec(),
                    checkpoint.config(), o -> spec.commandLine().getParseResult().hasMatchedOption(o), typedValues(),
                    overrides == null ? Set.of() : Set.copyOf(overrides), checkpoint.step(), steps);
            unet = resolved.spec();
            config = resolved.config();
            err.println("resuming " + checkpoint.dir() + " at step " + checkpoint.step()
                    + "; model, schedule and optimiser settings come from the checkpoint"
                    + (resolved.overridden().isEmpty() ? "" : ", except (--override) " + String.join(", ", resolved.overridden())));
            if (Boolean.TRUE.equals(classes) && !unet.conditional()) {
                throw new IllegalArgumentException("--classes: the checkpoint's model is unconditional; start a"
                        + " conditional run from it with --init-from " + checkpoint.dir() + " --classes --out <new folder>");
            }
        } else {
            if (overrides != null) {
                throw new IllegalArgumentException("--override only applies with --resume: a new run takes every option as given");
            }
            if (pretrained != null) {
                if (out == null) {
                    throw new IllegalArgumentException("--init-from needs --out <new run folder>");
                }
                for (String typed : List.of("--preset", "--image-size", "--channels", "--schedule", "--timesteps",
                        "--beta-start", "--beta-end", "--prediction")) {
                    if (spec.commandLine().getParseResult().hasMatchedOption(typed)) {
                        throw new IllegalArgumentException(typed + " contradicts --init-from " + initFrom + ": the"
                                + " diffusers folder fixes the UNet, the noise schedule and the prediction type");
                    }
                }
            }
            // a diffusers folder fixes the UNet, the schedule and the prediction; typed options give them otherwise
            unet = pretrained != null ? pretrained.spec() : UnetSpec.preset(preset);
            if (imageSize != null) {
                unet = unet.withImageSize(imageSize);
            }
            if (channels != null) {
                unet = unet.withChannels(channels);
            }
            unet = unet.withDropout(dropout != null ? dropout : Recipe.DROPOUT);
            NoiseSchedule ns = pretrained != null ? pretrained.schedule()
                    : NoiseSchedule.of(ScheduleType.fromId(schedule), timesteps, betaStart, betaEnd); // validates the range
            String target = pretrained != null ? pretrained.prediction().id() : prediction;
            if (lrDecayFrom != null && lrSchedule.equals("constant")) {
                throw new IllegalArgumentException("--lr-decay-from needs --lr-schedule cosine (a constant rate"
                        + " never falls)");
            }
            if (lrDecayFrom != null && (lrDecayFrom < 0 || lrDecayFrom >= steps)) {
                throw new IllegalArgumentException("--lr-decay-from " + lrDecayFrom + " must be in 0.." + (steps - 1)
                        + ": the cosine falls from it to --steps " + steps);
            }
            config = new TrainingConfig(data, pretrained != null ? "diffusers" : preset, batch, lr, warmup, 0.9, 0.999,
                    1e-8, gradClip, LossType.fromId(loss), emaDecay, ns.type().id(),
                    pretrained != null ? ns.timesteps() : timesteps, pretrained != null ? ns.betaStart() : betaStart,
                    pretrained != null ? ns.betaEnd() : betaEnd, seed, flip)
                    .withRecipe(new Objective(target, lossWeighting, snrGamma),
                            new LrSchedule(lrSchedule, lrSchedule.equals("constant") ? 0.0 : lrFloor,
                                    lrSchedule.equals("constant") ? 0L : steps,
                                    lrSchedule.equals("constant") ? 0L
                                            : lrDecayFrom == null ? Recipe.coolDownFrom(steps) : lrDecayFrom));
            if (pretrained != null) {
                err.println("fine-tuning " + pretrained.description() + " (" + unet.parameterCount()
                        + " parameters; " + ns + ", " + target + " prediction) from step 0");
            }
            if (out == null) {
                out = Path.of("runs", preset);
            }
            requireNoCheckpoints();
        }
        lockRunFolder();
        if (checkpoint != null && checkpoint.step() >= steps) {
            err.println("the checkpoint is already at step " + checkpoint.step() + " (--steps " + steps
                    + "): nothing to do; raise --steps to train further");
            return 0;
        }
        TrainingFid evaluator = evalEvery > 0 ? openEvaluator(err) : null;
        ImageDataset dataset;
        try {
            dataset = loadData(config.data(), unet, err);
        } catch (IOException | RuntimeException e) {
            if (evaluator != null) {
                evaluator.close();
            }
            throw e;
        }
        if (pretrained != null && unet.conditional()) {
            if (!dataset.hasLabels() || dataset.classCount() != unet.classCount()) {
                throw new IllegalArgumentException("--init-from " + initFrom + ": the model has " + unet.classCount()
                        + " classes, data set " + dataset.description() + " has " + (dataset.hasLabels()
                        ? dataset.classCount() + " (" + dataset.classNames() + ")" : "no labels"));
            }
            config = config.withClasses(dataset.classNames(), labelDropout == null ? Recipe.LABEL_DROPOUT : labelDropout);
        }
        boolean byDefault = classes == null && initial == null && checkpoint == null && !unet.conditional()
                && dataset.hasLabels() && dataset.classCount() >= 2;
        if ((Boolean.TRUE.equals(classes) || byDefault) && checkpoint == null && !unet.conditional()) {
            if (!dataset.hasLabels()) {
                throw new IllegalArgumentException("--classes: data set " + dataset.description() + " has no class"
                        + " labels (expected an IDX label file beside the images, or one folder per class)");
            }
            unet = unet.withClassCount(dataset.classCount());
            config = config.withClasses(dataset.classNames(), labelDropout == null ? Recipe.LABEL_DROPOUT : labelDropout);
            err.println("class-conditional" + (byDefault ? " (the data has labels; --no-classes trains an unconditional"
                    + " model)" : "") + ": " + dataset.classCount() + " classes " + dataset.classNames()
                    + ", label dropout " + config.labelDropout());
        } else if (Boolean.TRUE.equals(classes) && labelDropout != null && checkpoint == null) {
            config = config.withClasses(config.classNames(), labelDropout);
        }
        err.printf(Locale.ROOT, "%s: %,d images %dx%dx%d%s; UNet %s (%,d parameters); %s; batch %d, lr %.3g%s, "
                        + "%s prediction, loss %s%s, EMA %.5g; %s, PyTorch threads %d%n",
                dataset.description(), dataset.size(), unet.inChannels(), unet.imageSize(), unet.imageSize(),
                dataset.skipped() > 0 ? " (" + dataset.skipped() + " unreadable skipped)" : "",
                config.preset(), unet.parameterCount(), config.noiseSchedule(), config.batch(),
                config.learningRate(), config.lrSchedule().kind().equals("constant") ? ""
                        : String.format(Locale.ROOT, " (cosine from step %d to %.3g at step %d)",
                                Math.max(config.warmupSteps(), config.lrSchedule().decayFrom()),
                                config.learningRate() * config.lrSchedule().floor(), config.lrSchedule().decaySteps()),
                config.objective().prediction(), config.loss(),
                config.objective().minSnr() ? " min-SNR (gamma " + config.objective().snrGamma() + ")" : "",
                config.emaDecay(), dev, Threads.intraOpThreads());
        for (String hint : new String[] {Threads.waitPolicyHint(), Threads.mallocHint()}) {
            if (hint != null) {
                err.println(hint);
            }
        }
        TrainingRun.Options options = new TrainingRun.Options(out, steps, checkpointEvery, sampleEvery, keep,
                sampleCount, sampleSteps, 0L);
        org.ddpm4j.trainer.train.TrainingClock clock = checkpoint != null ? checkpoint.clock()
                : initial != null ? initial.clock() : org.ddpm4j.trainer.train.TrainingClock.ZERO;
        try (TrainingFid closeEvaluator = evaluator;
                GracefulStop stop = new GracefulStop(err, "ddpm train", 600);
                Trainer trainer = pretrained != null ? Trainer.fineTune(pretrained.weights(), unet, config, dataset, dev)
                : initial != null ? Trainer.initFrom(initial, unet, config, dataset, dev)
                : checkpoint == null ? Trainer.create(unet, config, dataset, dev)
                : Trainer.resume(checkpoint, config, dataset, dev)) {
            Path last = TrainingRun.run(trainer, options, new ConsoleProgress(err, ProgressBars.onTerminal()), stop, clock,
                    new TrainingRun.Evaluation(evalEvery, evaluator));
            if (stop.getAsBoolean()) {
                err.println("stopped: step " + trainer.step() + ", checkpoint " + last + "; continue with"
                        + " ./ddpm train --resume --out " + out + " --steps " + steps);
            } else {
                err.println("done: step " + trainer.step() + ", last checkpoint " + last);
            }
        }
        return 0;
    }

    /** The FID evaluator of --eval-every, its reference measured now (before any training data is read). */
    private TrainingFid openEvaluator(PrintStream err) throws IOException {
        org.ddpm4j.fid.SamplerSetting setting;
        try {
            setting = org.ddpm4j.fid.SamplerSetting.parse(evalSetting);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--eval-setting: " + e.getMessage());
        }
        Path extractor = evalExtractor;
        if (extractor == null) {
            extractor = ShippedFiles.find(FidCommand.DEFAULT_EXTRACTOR).orElseThrow(() -> new IllegalArgumentException(
                    "--eval-every needs a feature extractor: pass --eval-extractor file.onnx (the shipped one is "
                            + FidCommand.DEFAULT_EXTRACTOR + ", not found from here)"));
        }
        if (!Files.isRegularFile(extractor)) {
            throw new IllegalArgumentException("--eval-extractor " + extractor + " is not a file");
        }
        Path fashion = FidCommand.fashionMnistFolder(null);
        org.ddpm4j.fid.ImageSet reference;
        try {
            reference = org.ddpm4j.fid.ImageSet.parse(evalReference, fashion);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--eval-reference: " + e.getMessage());
        }
        return TrainingFid.open(extractor, reference, setting, evalImages, Threads.intraOpThreads(), err);
    }

    /** Checks --out and locks it for this run (once): a second writer is refused naming this process. */
    private void lockRunFolder() throws IOException {
        if (runLock == null) {
            TrainOutputChecks.runFolder(out);
            runLock = RunFolderLock.acquire(out, "ddpm train");
        }
    }

    /** The value of every option a checkpoint records, as the checkpoint would record it. */
    private Map<String, Object> typedValues() {
        Map<String, Object> v = new HashMap<>();
        v.put("--data", data);
        v.put("--batch", batch);
        v.put("--lr", lr);
        v.put("--warmup", warmup);
        v.put("--loss", LossType.fromId(loss));
        v.put("--ema-decay", emaDecay);
        v.put("--grad-clip", gradClip);
        v.put("--seed", seed);
        v.put("--flip", flip);
        v.put("--dropout", dropout);
        v.put("--label-dropout", labelDropout);
        v.put("--preset", preset);
        v.put("--image-size", imageSize);
        v.put("--channels", channels);
        v.put("--schedule", ScheduleType.fromId(schedule).id());
        v.put("--timesteps", timesteps);
        v.put("--beta-start", betaStart);
        v.put("--beta-end", betaEnd);
        v.put("--prediction", prediction);
        v.put("--loss-weighting", lossWeighting);
        v.put("--snr-gamma", snrGamma);
        v.put("--lr-schedule", lrSchedule);
        v.put("--lr-floor", lrFloor);
        v.put("--lr-decay-from", lrDecayFrom);
        return v;
    }

    private void requireNoCheckpoints() throws IOException {
        if (!CheckpointStore.listCheckpoints(out.resolve(CheckpointStore.CHECKPOINTS)).isEmpty()) {
            throw new IllegalArgumentException(out + " already holds checkpoints: pass --resume to continue"
                    + " that run, or choose another --out");
        }
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
        try (ProgressBar bar = ProgressBars.bar("decode", files, " images", err)) {
            return Datasets.open(data, unet.imageSize(), unet.inChannels(), bar::stepTo);
        }
    }
}
