package org.ddpm4j.trainer.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.ddpm4j.runtime.noise.GaussianNoise;
import org.ddpm4j.runtime.sampling.Prediction;
import org.ddpm4j.runtime.sampling.Predictions;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.ddpm4j.trainer.checkpoint.Checkpoint;
import org.ddpm4j.trainer.checkpoint.OptimizerState;
import org.ddpm4j.trainer.config.LossType;
import org.ddpm4j.trainer.config.Objective;
import org.ddpm4j.trainer.config.TrainingConfig;
import org.ddpm4j.trainer.data.ImageDataset;
import org.ddpm4j.trainer.model.NoGrad;
import org.ddpm4j.trainer.model.OwnedArrays;
import org.ddpm4j.trainer.model.Scalars;
import org.ddpm4j.trainer.model.UnetModel;
import org.ddpm4j.trainer.model.UnetSpec;

/**
 * One DDPM training state and its step: uniform t, x_t = sqrt(ab_t) x_0 + sqrt(1 - ab_t) eps with
 * the coefficients of the runtime's {@link NoiseSchedule}, epsilon prediction, Adam with
 * global-norm clipping and warm-up, and an EMA of the weights.
 *
 * <p>Every random draw of step s (batch, timesteps, flips, noise, dropout) is derived from
 * (seed, s), so training N + M steps in one go equals N steps, a checkpoint, and M more.
 * Not thread-safe.
 */
public final class Trainer implements AutoCloseable {

    private final UnetSpec spec;
    private final TrainingConfig config;
    private final ImageDataset data;
    private final NoiseSchedule schedule;
    private final double[] sqrtAlphaBars;
    private final double[] sqrtOneMinusAlphaBars;
    private final NDManager root;
    private final UnetModel model;
    private final UnetModel ema;
    private final AdamOptimizer adam;
    private final FlatLayout layout;
    private NDArray emaFlat;
    private boolean emaStale;
    private final BatchPlan plan;
    private long step;
    /** The inputs of the last step, for tests that check the loss against its closed form. */
    Batch lastBatch;

    /** A step's clean images, noise and timesteps (flat, image after image). */
    record Batch(float[] x0, float[] eps, int[] ts) {
    }

    private double lastGradNorm;

    private Trainer(UnetSpec spec, TrainingConfig config, ImageDataset data, Device device) {
        if (data.channels() != spec.inChannels() || data.imageSize() != spec.imageSize()) {
            throw new IllegalArgumentException("data set " + data.description() + " holds " + data.channels() + "x"
                    + data.imageSize() + "x" + data.imageSize() + " images, the model expects " + spec.inChannels()
                    + "x" + spec.imageSize() + "x" + spec.imageSize());
        }
        if (spec.conditional()) {
            if (!data.hasLabels()) {
                throw new IllegalArgumentException("a class-conditional model needs class labels, but data set "
                        + data.description() + " has none (expected an IDX label file beside the images, or images"
                        + " in one folder per class)");
            }
            if (data.classCount() > spec.classCount()) {
                throw new IllegalArgumentException("data set " + data.description() + " has " + data.classCount()
                        + " classes, the model " + spec.classCount());
            }
        }
        this.spec = spec;
        this.config = config;
        this.data = data;
        this.schedule = config.noiseSchedule();
        this.sqrtAlphaBars = schedule.sqrtAlphaBars();
        this.sqrtOneMinusAlphaBars = schedule.sqrtOneMinusAlphaBars();
        this.root = NDManager.newBaseManager(device);
        this.model = UnetModel.create(spec, Seeds.derive(config.seed(), Seeds.INIT, 0), root);
        this.ema = UnetModel.create(spec, Seeds.derive(config.seed(), Seeds.INIT, 0), root);
        this.model.setRequiresGradient(true);
        this.adam = new AdamOptimizer(model.parameters(), root, config.beta1(), config.beta2(), config.adamEps());
        this.layout = new FlatLayout(model.parameters());
        this.emaFlat = OwnedArrays.of(root, layout.fromMap(ema.weights(), "EMA weights"));
        this.plan = new BatchPlan(data.size(), config.batch(), config.seed());
    }

    /** A fresh run: weights initialised from the config's seed, EMA equal to them, Adam at zero. */
    public static Trainer create(UnetSpec spec, TrainingConfig config, ImageDataset data) {
        return new Trainer(spec, config, data, Device.cpu());
    }

    /** As {@link #create(UnetSpec, TrainingConfig, ImageDataset)}, on {@code device} (see {@link Devices}). */
    public static Trainer create(UnetSpec spec, TrainingConfig config, ImageDataset data, Device device) {
        return new Trainer(spec, config, data, device);
    }

    /** Continues from a checkpoint: its spec, weights, EMA, Adam state and step; {@code config} as saved (data may differ). */
    public static Trainer resume(Checkpoint checkpoint, TrainingConfig config, ImageDataset data) throws IOException {
        return resume(checkpoint, config, data, Device.cpu());
    }

    /** As {@link #resume(Checkpoint, TrainingConfig, ImageDataset)}, on {@code device}. */
    public static Trainer resume(Checkpoint checkpoint, TrainingConfig config, ImageDataset data, Device device)
            throws IOException {
        Trainer t = new Trainer(checkpoint.spec(), config, data, device);
        try {
            t.model.loadWeights(checkpoint.weights());
            t.ema.loadWeights(checkpoint.emaWeights());
            t.replaceEma(checkpoint.emaWeights());
            OptimizerState state = checkpoint.optimizerState();
            t.adam.load(state);
            t.step = checkpoint.step();
            return t;
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /**
     * Starts a new run from another run's checkpoint, typically a class-conditional model from an
     * unconditional one: {@code spec} must be the checkpoint's spec, up to the class count. Every
     * parameter the checkpoint has is taken from it (raw weights, EMA and Adam's moments), the new
     * class embedding starts at zero (so the model first computes exactly what the checkpoint's model
     * computed, for every label), and the step count continues from the checkpoint's, so the learning
     * rate and EMA decay schedules go on where they were.
     *
     * @throws IllegalArgumentException when the specs differ beyond the class count, or the checkpoint
     *                                  holds a parameter the new model lacks
     */
    public static Trainer initFrom(Checkpoint checkpoint, UnetSpec spec, TrainingConfig config, ImageDataset data,
            Device device) throws IOException {
        UnetSpec from = checkpoint.spec();
        if (!from.withClassCount(spec.classCount()).equals(spec)) {
            throw new IllegalArgumentException("cannot start from checkpoint " + checkpoint.dir()
                    + ": its UNet " + from + " differs from the new one " + spec + " beyond the class count");
        }
        if (from.conditional() && from.classCount() != spec.classCount()) {
            throw new IllegalArgumentException("cannot start from checkpoint " + checkpoint.dir() + ": it has "
                    + from.classCount() + " classes, the new model " + spec.classCount());
        }
        Trainer t = new Trainer(spec, config, data, device);
        try {
            Map<String, float[]> weights = extend(checkpoint.weights(), t.model.weights());
            Map<String, float[]> ema = extend(checkpoint.emaWeights(), t.ema.weights());
            t.model.loadWeights(weights);
            t.ema.loadWeights(ema);
            t.replaceEma(ema);
            OptimizerState state = checkpoint.optimizerState();
            Map<String, float[]> zeros = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, float[]> e : weights.entrySet()) {
                zeros.put(e.getKey(), new float[e.getValue().length]);
            }
            t.adam.load(new OptimizerState(state.step(), extend(state.firstMoment(), zeros),
                    extend(state.secondMoment(), zeros)));
            t.step = checkpoint.step();
            return t;
        } catch (IOException | RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /**
     * A new run at step 0 that starts from pretrained weights (a model imported from the diffusers format,
     * say) to fine-tune them: the raw and the EMA weights both start as {@code weights}, Adam's moments at
     * zero. {@code spec} may add a class embedding to an unconditional model's weights; it starts at zero,
     * so the new model first computes exactly what the old one did.
     *
     * @throws IllegalArgumentException when the weights do not fit {@code spec}
     */
    public static Trainer fineTune(Map<String, float[]> weights, UnetSpec spec, TrainingConfig config,
            ImageDataset data, Device device) {
        Trainer t = new Trainer(spec, config, data, device);
        try {
            Map<String, float[]> start = extend(weights, t.model.weights());
            t.model.loadWeights(start);
            t.ema.loadWeights(start);
            t.replaceEma(start);
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** {@code init}'s tensors, replaced by {@code from}'s wherever {@code from} has them. */
    private static Map<String, float[]> extend(Map<String, float[]> from, Map<String, float[]> init) {
        for (String name : from.keySet()) {
            if (!init.containsKey(name)) {
                throw new IllegalArgumentException("the checkpoint holds " + name + ", which the new model lacks");
            }
        }
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : init.entrySet()) {
            out.put(e.getKey(), from.getOrDefault(e.getKey(), e.getValue()));
        }
        return out;
    }

    /** Replaces the flat EMA vector by {@code weights}, in libtorch's memory ({@link OwnedArrays}). */
    private void replaceEma(Map<String, float[]> weights) {
        NDArray loaded = OwnedArrays.of(root, layout.fromMap(weights, "EMA weights"));
        emaFlat.close();
        emaFlat = loaded;
    }

    /** The UNet being trained. */
    public UnetSpec spec() {
        return spec;
    }

    /** The training configuration. */
    public TrainingConfig config() {
        return config;
    }

    /** The noise schedule (from the configuration). */
    public NoiseSchedule schedule() {
        return schedule;
    }

    /** The training images. */
    public ImageDataset data() {
        return data;
    }

    /** Steps done so far. */
    public long step() {
        return step;
    }

    /** The trained model. */
    public UnetModel model() {
        return model;
    }

    /** The EMA of the trained model's weights (what samples and exports use). */
    public UnetModel emaModel() {
        if (emaStale) {
            ema.loadWeights(layout.toMap(emaFlat.toFloatArray()));
            emaStale = false;
        }
        return ema;
    }

    /** Adam's state, for checkpoints. */
    public OptimizerState optimizerState() {
        return adam.state();
    }

    /** The global gradient norm of the last step, before clipping. */
    public double lastGradNorm() {
        return lastGradNorm;
    }

    /**
     * Runs one training step and returns its loss.
     *
     * @throws TrainingDivergedException when the loss or the gradient norm is NaN or infinite
     *                                   (nothing is updated then)
     */
    public float trainStep() {
        long s = step;
        int b = config.batch();
        int c = spec.inChannels();
        int size = spec.imageSize();
        int per = c * size * size;
        float[] x0 = new float[b * per];
        float[] eps = new float[b * per];
        float[] tf = new float[b];
        float[] coefX = new float[b];
        float[] coefE = new float[b];
        int[] ts = new int[b];
        int[] idx = plan.indices(s);
        GaussianNoise rng = new GaussianNoise(Seeds.derive(config.seed(), Seeds.STEP, s));
        for (int k = 0; k < b; k++) {
            int t = rng.nextInt(schedule.timesteps());
            boolean flip = config.flip() && rng.nextDouble() < 0.5;
            data.read(idx[k], flip, x0, k * per);
            tf[k] = t;
            ts[k] = t;
            coefX[k] = (float) sqrtAlphaBars[t];
            coefE[k] = (float) sqrtOneMinusAlphaBars[t];
        }
        rng.fill(eps);
        lastBatch = new Batch(x0, eps, ts);
        long[] labels = spec.conditional() ? labels(idx, s) : null;
        Engine.getInstance().setRandomSeed((int) Seeds.derive(config.seed(), Seeds.DROPOUT, s));
        Map<String, NDArray> params = model.parameters();
        float lossValue;
        try (NDManager scope = root.newSubManager()) {
            for (NDArray p : params.values()) {
                p.tempAttach(scope);
            }
            emaFlat.tempAttach(scope);
            Shape shape = new Shape(b, c, size, size);
            Shape column = new Shape(b, 1, 1, 1);
            NDArray noise = scope.create(eps, shape);
            NDArray xt = scope.create(x0, shape).mul(scope.create(coefX, column))
                    .add(noise.mul(scope.create(coefE, column)));
            NDArray t = scope.create(tf);
            Objective objective = config.objective();
            NDArray target = objective.isDefault() ? noise
                    : scope.create(targets(objective.predictionType(), x0, eps, coefX, coefE, per), shape);
            // autograd keeps the weights for the backward pass: libtorch's memory, never a wrapped Java buffer
            NDArray weights = objective.minSnr() ? OwnedArrays.of(scope, lossWeights(objective, ts), new Shape(b)) : null;
            NDArray loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray pred = model.forward(xt, t, labels, true);
                loss = weights == null ? loss(config.loss(), pred, target) : weightedLoss(config.loss(), pred, target, weights);
                gc.backward(loss);
            }
            lossValue = loss.getFloat();
            List<NDArray> grads = new ArrayList<>(params.size());
            for (NDArray p : params.values()) {
                grads.add(p.getGradient());
            }
            NDArray flatGrad = FlatLayout.flatten(grads);
            double gradNorm = Math.sqrt(flatGrad.square().sum().getFloat());
            lastGradNorm = gradNorm;
            if (!Float.isFinite(lossValue) || !Double.isFinite(gradNorm)) {
                throw new TrainingDivergedException(s + 1, "training diverged at step " + (s + 1) + ": loss "
                        + lossValue + ", gradient norm " + gradNorm + " (not finite" + nonFiniteGradients(params, grads)
                        + "); nothing of this step was saved");
            }
            double scale = config.gradClip() > 0 && gradNorm > config.gradClip()
                    ? config.gradClip() / (gradNorm + 1e-6) : 1.0;
            try (NoGrad off = NoGrad.enter()) {
                adam.update(params, flatGrad, config.learningRateAt(s), scale, scope);
                double decay = config.emaDecayAt(s);
                emaFlat.muli(decay).addi(FlatLayout.flatten(params.values()).mul(1.0 - decay));
            }
            emaStale = true;
            for (NDArray p : params.values()) {
                JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) p);
            }
        }
        step = s + 1;
        return lossValue;
    }

    /**
     * The class labels of step {@code s}'s images, each replaced by the null label with probability
     * {@link TrainingConfig#labelDropout()}, drawn from their own stream ({@link Seeds#LABELS}).
     */
    private long[] labels(int[] idx, long s) {
        GaussianNoise drop = new GaussianNoise(Seeds.derive(config.seed(), Seeds.LABELS, s));
        long[] labels = new long[idx.length];
        for (int k = 0; k < idx.length; k++) {
            boolean dropped = drop.nextDouble() < config.labelDropout();
            labels[k] = dropped ? spec.classCount() : data.label(idx[k]);
        }
        return labels;
    }

    /** ", in N of M gradient tensors, nearest the output: NAME" for a divergence message ("" if all are finite). */
    private static String nonFiniteGradients(Map<String, NDArray> params, List<NDArray> grads) {
        int bad = 0;
        String last = null;
        int i = 0;
        for (String name : params.keySet()) {
            NDArray g = grads.get(i++);
            if (!Float.isFinite(g.abs().sum().getFloat())) {
                bad++;
                last = name;
            }
        }
        return bad == 0 ? "" : ", in " + bad + " of " + params.size() + " gradient tensors, nearest the output: " + last;
    }

    /**
     * The training target of every value: {@code Predictions.target} for image k's coefficients
     * a = coefX[k], s = coefE[k].
     */
    static float[] targets(Prediction prediction, float[] x0, float[] eps, float[] coefX, float[] coefE, int per) {
        float[] out = new float[x0.length];
        for (int i = 0; i < out.length; i++) {
            int k = i / per;
            out[i] = (float) Predictions.target(prediction, x0[i], eps[i], coefX[k], coefE[k]);
        }
        return out;
    }

    /** The loss weight of each image, from its timestep. */
    float[] lossWeights(Objective objective, int[] ts) {
        float[] w = new float[ts.length];
        for (int k = 0; k < ts.length; k++) {
            w[k] = (float) objective.weight(schedule.alphaBar(ts[k]));
        }
        return w;
    }

    /**
     * The per-image loss (averaged over each image's values) times the image's weight, averaged over
     * the batch; {@code weights} is {@code [B]}.
     */
    public static NDArray weightedLoss(LossType type, NDArray pred, NDArray target, NDArray weights) {
        NDArray each = elementLoss(type, pred.sub(target));
        return each.reshape(each.getShape().get(0), -1).mean(new int[] {1}).mul(weights).mean();
    }

    /** The loss between prediction and target, averaged over every value. */
    public static NDArray loss(LossType type, NDArray pred, NDArray target) {
        return elementLoss(type, pred.sub(target)).mean();
    }

    /** The loss of each value of the difference {@code d} = prediction - target. */
    private static NDArray elementLoss(LossType type, NDArray d) {
        return switch (type) {
            case L2 -> d.square();
            case L1 -> d.abs();
            case HUBER -> {
                NDArray a = d.abs();
                NDArray q = Scalars.minimum(a, 1.0);
                yield Scalars.times(q.square(), 0.5).add(a.sub(q));
            }
        };
    }

    /** Overwrites the raw weights (for tests and tools); the optimizer state is left as is. */
    public void setWeights(Map<String, float[]> weights) {
        model.loadWeights(weights);
    }

    @Override
    public void close() {
        adam.close();
        ema.close();
        model.close();
        root.close();
    }
}
