/**
 * A small convolutional Fashion-MNIST classifier whose penultimate activations serve as the
 * project's default FID feature extractor: its description ({@link org.ddpm4j.trainer.classifier.ClassifierSpec}),
 * the DJL model over named parameters ({@link org.ddpm4j.trainer.classifier.ClassifierModel}),
 * labelled IDX data ({@link org.ddpm4j.trainer.classifier.LabeledImages}) and seeded training
 * ({@link org.ddpm4j.trainer.classifier.ClassifierTrainer}).
 */
package org.ddpm4j.trainer.classifier;
