package org.ddpm4j.trainer.classifier;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.ddpm4j.trainer.model.NoGrad;
import org.ddpm4j.trainer.model.OwnedArrays;
import org.ddpm4j.trainer.model.Scalars;
import org.ddpm4j.trainer.train.AdamOptimizer;
import org.ddpm4j.trainer.train.FlatLayout;
import org.ddpm4j.trainer.train.Seeds;

/**
 * Trains a {@link ClassifierModel} with softmax cross-entropy and Adam, reproducibly: the initial
 * weights and every epoch's batch order derive from the configured seed only.
 *
 * <pre>{@code
 * try (ClassifierTrainer t = new ClassifierTrainer(ClassifierSpec.fashionMnist(), config, train)) {
 *     for (int e = 0; e < config.epochs(); e++) {
 *         t.runEpoch(e, (step, total, loss) -> { });
 *         double acc = ClassifierTrainer.accuracy(t.model(), test, 500);
 *     }
 * }
 * }</pre>
 */
public final class ClassifierTrainer implements AutoCloseable {

    /** Hears each optimisation step. */
    @FunctionalInterface
    public interface StepListener {
        /**
         * Called after each step.
         *
         * @param step  steps done so far (1-based)
         * @param total steps of the whole run
         * @param loss  this step's mean cross-entropy
         */
        void onStep(long step, long total, float loss);
    }

    private final ClassifierTrainingConfig config;
    private final LabeledImages data;
    private final ClassifierModel model;
    private final NDManager root;
    private final AdamOptimizer adam;
    private final int stepsPerEpoch;
    private long step;

    /**
     * A trainer with freshly initialised weights (seeded by {@code config.seed()}).
     *
     * @throws IllegalArgumentException when the data do not fit the spec or are smaller than one batch
     */
    public ClassifierTrainer(ClassifierSpec spec, ClassifierTrainingConfig config, LabeledImages data) {
        if (data.height() != spec.imageSize() || data.width() != spec.imageSize() || spec.channels() != 1) {
            throw new IllegalArgumentException("classifier of " + spec.channels() + "x" + spec.imageSize() + "x"
                    + spec.imageSize() + " cannot train on gray " + data.height() + "x" + data.width() + " images of "
                    + data.description());
        }
        if (data.classCount() > spec.classes()) {
            throw new IllegalArgumentException(data.description() + " has labels up to " + (data.classCount() - 1)
                    + ", the classifier has only " + spec.classes() + " classes");
        }
        if (data.size() < config.batchSize()) {
            throw new IllegalArgumentException(data.description() + " has " + data.size()
                    + " images, fewer than one batch of " + config.batchSize());
        }
        this.config = config;
        this.data = data;
        this.stepsPerEpoch = data.size() / config.batchSize();
        this.model = ClassifierModel.create(spec, Seeds.derive(config.seed(), Seeds.INIT, 0));
        this.model.setRequiresGradient(true);
        this.root = NDManager.newBaseManager();
        this.adam = new AdamOptimizer(model.parameters(), root, 0.9, 0.999, 1e-8);
    }

    /** The model being trained (owned by this trainer). */
    public ClassifierModel model() {
        return model;
    }

    /** Steps in one epoch. */
    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    /** Steps of the whole run. */
    public long totalSteps() {
        return (long) stepsPerEpoch * config.epochs();
    }

    /** Steps done so far. */
    public long step() {
        return step;
    }

    /**
     * One pass over the data in the seeded order of epoch {@code epoch}.
     *
     * @return the mean loss of the epoch's steps
     * @throws IllegalStateException when the loss stops being finite
     */
    public double runEpoch(int epoch, StepListener listener) {
        int[] order = order(data.size(), Seeds.derive(config.seed(), Seeds.EPOCH, epoch));
        double sum = 0;
        for (int k = 0; k < stepsPerEpoch; k++) {
            float loss = trainStep(order, k * config.batchSize());
            if (!Float.isFinite(loss)) {
                throw new IllegalStateException("classifier training diverged at step " + step + ": loss " + loss);
            }
            sum += loss;
            if (listener != null) {
                listener.onStep(step, totalSteps(), loss);
            }
        }
        return sum / stepsPerEpoch;
    }

    private float trainStep(int[] order, int from) {
        int b = config.batchSize();
        int per = data.height() * data.width();
        int classes = model.spec().classes();
        float[] x = new float[b * per];
        float[] oneHot = new float[b * classes];
        for (int i = 0; i < b; i++) {
            int idx = order[from + i];
            data.read(idx, x, i * per);
            oneHot[i * classes + data.labels()[idx]] = 1f;
        }
        Map<String, NDArray> params = model.parameters();
        try (NDManager scope = root.newSubManager()) {
            for (NDArray p : params.values()) {
                p.tempAttach(scope);
            }
            // both are read again in the backward pass: libtorch's memory, never wrapped Java buffers
            NDArray input = OwnedArrays.of(scope, x, new Shape(b, 1, data.height(), data.width()));
            NDArray target = OwnedArrays.of(scope, oneHot, new Shape(b, classes));
            NDArray loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                loss = crossEntropy(model.forward(input).logits(), target);
                gc.backward(loss);
            }
            float value = loss.getFloat();
            List<NDArray> grads = new ArrayList<>();
            params.values().forEach(p -> grads.add(p.getGradient()));
            try (NoGrad off = NoGrad.enter()) {
                adam.update(params, FlatLayout.flatten(grads), config.learningRateAt(step, totalSteps()), 1.0, scope);
            }
            for (NDArray p : params.values()) {
                JniUtils.zeroGrad((PtNDArray) p);
            }
            step++;
            return value;
        }
    }

    /** Mean softmax cross-entropy of {@code logits [B, K]} against one-hot {@code target [B, K]}. */
    public static NDArray crossEntropy(NDArray logits, NDArray target) {
        return Scalars.dividedBy(logits.logSoftmax(1).mul(target).sum().neg(), logits.getShape().get(0));
    }

    /** A seeded permutation of {@code 0..n-1}. */
    static int[] order(int n, long seed) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return idx;
    }

    /**
     * The fraction of {@code data} that {@code model} classifies correctly (arg max of the logits).
     *
     * @param batch images per forward pass
     */
    public static double accuracy(ClassifierModel model, LabeledImages data, int batch) {
        int per = data.height() * data.width();
        long correct = 0;
        try (NDManager scope = NDManager.newBaseManager()) {
            for (int from = 0; from < data.size(); from += batch) {
                int n = Math.min(batch, data.size() - from);
                float[] x = new float[n * per];
                for (int i = 0; i < n; i++) {
                    data.read(from + i, x, i * per);
                }
                try (NDManager sub = scope.newSubManager()) {
                    NDArray input = sub.create(x, new Shape(n, 1, data.height(), data.width()));
                    long[] predicted = model.forward(input).logits().argMax(1).toLongArray();
                    for (int i = 0; i < n; i++) {
                        if (predicted[i] == data.labels()[from + i]) {
                            correct++;
                        }
                    }
                }
            }
        }
        return (double) correct / data.size();
    }

    @Override
    public void close() {
        adam.close();
        root.close();
        model.close();
    }
}
