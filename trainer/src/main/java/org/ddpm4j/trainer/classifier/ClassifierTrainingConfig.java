package org.ddpm4j.trainer.classifier;

/**
 * How the classifier is trained: Adam with a cosine-decayed learning rate over every step, batches
 * drawn without replacement in a seeded order each epoch (the last partial batch is dropped).
 *
 * @param epochs       passes over the training set
 * @param batchSize    images per step
 * @param learningRate peak Adam learning rate
 * @param seed         seed of the initial weights and the batch order
 */
public record ClassifierTrainingConfig(int epochs, int batchSize, double learningRate, long seed) {

    /** Defaults: 3 epochs, batch 128, learning rate 2e-3, seed 0. */
    public static ClassifierTrainingConfig defaults() {
        return new ClassifierTrainingConfig(3, 128, 2e-3, 0);
    }

    /** Validates. */
    public ClassifierTrainingConfig {
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs must be at least 1, found " + epochs);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, found " + batchSize);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("--lr must be a positive number, found " + learningRate);
        }
    }

    /** Learning rate of step {@code s} of {@code total}: cosine from the peak down to 0. */
    public double learningRateAt(long s, long total) {
        return learningRate * 0.5 * (1 + Math.cos(Math.PI * s / Math.max(1, total)));
    }
}
