package org.ddpm4j.trainer.train;

import java.io.IOException;

/**
 * Scores the model between training steps ({@code ddpm train --eval-every}). It is handed the
 * trainer after step {@code step} and must not change it, nor draw from libtorch's random generator:
 * a run with evaluation trains exactly the weights of a run without. {@code ddpm train}'s evaluator
 * exports the EMA weights to ONNX and measures FID with ONNX Runtime.
 */
@FunctionalInterface
public interface TrainingEvaluator {

    /**
     * One evaluation's result.
     *
     * @param fid           the FID (NaN if not measured)
     * @param classAccuracy the share of samples classified as the class they were drawn for (NaN if none)
     * @param images        images scored
     */
    record Score(double fid, double classAccuracy, long images) {
    }

    /** Scores the trainer's model after step {@code step}. */
    Score evaluate(Trainer trainer, long step) throws IOException;
}
