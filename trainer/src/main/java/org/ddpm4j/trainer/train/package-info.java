/**
 * DDPM training: the step ({@link org.ddpm4j.trainer.train.Trainer}), our own Adam, EMA, seeded
 * batches, and the loop with checkpoints, sample grids and the loss history
 * ({@link org.ddpm4j.trainer.train.TrainingRun}).
 */
package org.ddpm4j.trainer.train;
