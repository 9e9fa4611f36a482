package org.ddpm4j.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ddpm4j.runtime.sampling.Prediction;
import org.ddpm4j.runtime.sampling.Predictions;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.ddpm4j.trainer.config.LrSchedule;
import org.ddpm4j.trainer.config.Objective;
import org.ddpm4j.trainer.config.TrainingConfig;
import org.ddpm4j.trainer.model.UnetSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Training targets, min-SNR weights and the learning-rate schedule against their closed forms. */
class ObjectiveTest {

    private static final NoiseSchedule LINEAR = NoiseSchedule.linear(1000, 1e-4, 0.02);

    @Test
    void minSnrWeightsFollowThePaperForEachTarget() {
        double gamma = 5;
        int low = 10;   // little noise: SNR far above gamma
        int high = 900; // much noise: SNR far below gamma
        double snrLow = LINEAR.alphaBar(low) / (1 - LINEAR.alphaBar(low));
        double snrHigh = LINEAR.alphaBar(high) / (1 - LINEAR.alphaBar(high));
        assertTrue(snrLow > gamma && snrHigh < gamma, snrLow + " " + snrHigh);
        Objective eps = new Objective("epsilon", "min-snr", gamma);
        Objective x0 = new Objective("sample", "min-snr", gamma);
        Objective v = new Objective("v", "min-snr", gamma);
        assertEquals(gamma / snrLow, eps.weight(LINEAR.alphaBar(low)), 1e-12);
        assertEquals(1.0, eps.weight(LINEAR.alphaBar(high)), 1e-12);
        assertEquals(gamma, x0.weight(LINEAR.alphaBar(low)), 1e-12);
        assertEquals(snrHigh, x0.weight(LINEAR.alphaBar(high)), 1e-12);
        assertEquals(gamma / (snrLow + 1), v.weight(LINEAR.alphaBar(low)), 1e-12);
        assertEquals(snrHigh / (snrHigh + 1), v.weight(LINEAR.alphaBar(high)), 1e-12);
        assertEquals(1.0, new Objective("v", "none", gamma).weight(LINEAR.alphaBar(low)));
        // the three weightings are one weighting: each target's squared error times its weight is the
        // x0-space error times min(SNR, gamma)
        double a = Math.sqrt(LINEAR.alphaBar(low));
        double s = Math.sqrt(1 - LINEAR.alphaBar(low));
        double x0Err = 0.3;
        double epsErr = -a / s * x0Err;     // an x0 error e means an epsilon error -a/s e
        double vErr = -x0Err / s;           // and a v error -e/s (v = a eps - s x0, x0 = a x_t - s v)
        double clipped = Math.min(snrLow, gamma);
        assertEquals(clipped * x0Err * x0Err, x0.weight(a * a) * x0Err * x0Err, 1e-9);
        assertEquals(clipped * x0Err * x0Err, eps.weight(a * a) * epsErr * epsErr, 1e-9);
        assertEquals(clipped * x0Err * x0Err, v.weight(a * a) * vErr * vErr, 1e-9);
    }

    @Test
    void targetsAreWhatTheRuntimeSamplersInvert() {
        double a = 0.8;
        double s = Math.sqrt(1 - a * a);
        double x0 = -0.4;
        double eps = 1.3;
        double xt = a * x0 + s * eps;
        for (Prediction p : Prediction.values()) {
            double m = Predictions.target(p, x0, eps, a, s);
            assertEquals(x0, Predictions.x0(p, xt, m, a, s), 1e-12, p.id());
            assertEquals(eps, Predictions.epsilon(p, xt, m, a, s), 1e-12, p.id());
        }
        assertEquals(a * eps - s * x0, Predictions.target(Prediction.V, x0, eps, a, s), 1e-15);
    }

    /**
     * At step 1 a fresh UNet outputs exactly 0 (its output conv starts at zero), so the first loss is
     * the mean over images of weight x mean(target^2), computable from the step's inputs alone.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"epsilon, none", "epsilon, min-snr", "sample, none", "sample, min-snr", "v, none", "v, min-snr"})
    void firstLossOfAZeroOutputModelIsTheWeightedMeanSquaredTarget(String prediction, String weighting) {
        Threads.setIntraOpThreads(1);
        Objective objective = new Objective(prediction, weighting, 5);
        TrainingConfig config = TrainerTest.tinyConfig(6).withRecipe(objective, LrSchedule.CONSTANT);
        try (Trainer t = Trainer.create(UnetSpec.preset("tiny"), config, TestData.rectangles(8, 16))) {
            float loss = t.trainStep();
            Trainer.Batch batch = t.lastBatch;
            int per = batch.x0().length / batch.ts().length;
            double expected = 0;
            for (int k = 0; k < batch.ts().length; k++) {
                double ab = t.schedule().alphaBar(batch.ts()[k]);
                double a = Math.sqrt(ab);
                double s = Math.sqrt(1 - ab);
                double sum = 0;
                for (int i = k * per; i < (k + 1) * per; i++) {
                    double target = Predictions.target(objective.predictionType(), batch.x0()[i], batch.eps()[i], a, s);
                    sum += target * target;
                }
                expected += objective.weight(ab) * sum / per;
            }
            expected /= batch.ts().length;
            assertEquals(expected, loss, 1e-5 * expected, prediction + "/" + weighting);
        }
    }

    @Test
    void cosineScheduleFallsFromThePeakToItsFloorAfterWarmUp() {
        LrSchedule cosine = new LrSchedule("cosine", 0.1, 1100);
        int warmup = 100;
        assertEquals(1.0, cosine.factorAt(warmup - 1, warmup), 1e-12);
        assertEquals(0.55, cosine.factorAt(warmup - 1 + 500, warmup), 1e-12);
        assertEquals(0.1, cosine.factorAt(1099, warmup), 1e-12);
        assertEquals(0.1, cosine.factorAt(5000, warmup), 1e-12);
        TrainingConfig d = TrainingConfig.plain("x", "tiny");
        TrainingConfig c = d.withRecipe(Objective.DEFAULT, cosine);
        assertEquals(d.learningRateAt(49), c.learningRateAt(49), 1e-18, "warm-up is unchanged");
        assertEquals(d.learningRate() * 0.55, new TrainingConfig(d.data(), d.preset(), d.batch(), d.learningRate(), 100,
                d.beta1(), d.beta2(), d.adamEps(), d.gradClip(), d.loss(), d.emaDecay(), d.schedule(), d.timesteps(),
                d.betaStart(), d.betaEnd(), d.seed(), d.flip(), 0, null, Objective.DEFAULT, cosine).learningRateAt(599), 1e-15);
        assertEquals(d.learningRate(), d.learningRateAt(10_000), 0.0, "constant stays at the peak");
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule("cosine", 0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule("cosine", 0.1, 1000, 1000));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule("cosine", 0.1, 1000, -1));
        assertThrows(IllegalArgumentException.class, () -> new LrSchedule("step", 0.1, 10));
        assertThrows(IllegalArgumentException.class, () -> new Objective("x0", "none", 5));
        assertThrows(IllegalArgumentException.class, () -> new Objective("v", "snr", 5));
    }

    @Test
    void aLateCosineHoldsThePeakThenCoolsDownToItsFloor() {
        // warm-up 100, stable to step 4,000, then half a cosine to 0.2 at step 6,000
        LrSchedule wsd = new LrSchedule("cosine", 0.2, 6000, 4000);
        int warmup = 100;
        assertEquals(1.0, wsd.factorAt(150, warmup), 0.0, "after warm-up, before the decay: the peak");
        assertEquals(1.0, wsd.factorAt(3998, warmup), 1e-12, "the last stable step: the peak");
        assertEquals(1.0, wsd.factorAt(3999, warmup), 1e-12, "step index 3,999 ends at the decay's start: p = 0");
        assertTrue(wsd.factorAt(4000, warmup) < 1.0, "step index 4,000 has fallen");
        // step index 4999 is the 1,000th of 2,000 decay steps: halfway, cos(pi/2) = 0
        assertEquals(0.2 + 0.8 * 0.5, wsd.factorAt(4999, warmup), 1e-12);
        // a quarter of the way: 0.2 + 0.8 * (1 + cos(pi/4)) / 2
        assertEquals(0.2 + 0.8 * 0.5 * (1 + Math.sqrt(0.5)), wsd.factorAt(4499, warmup), 1e-12);
        assertEquals(0.2, wsd.factorAt(5999, warmup), 1e-12);
        assertEquals(0.2, wsd.factorAt(9000, warmup), 1e-12);
        // a start inside the warm-up falls from the end of warm-up, as the three-value form does
        assertEquals(new LrSchedule("cosine", 0.2, 6000).factorAt(2999, warmup),
                new LrSchedule("cosine", 0.2, 6000, 50).factorAt(2999, warmup), 0.0);
    }

    @Test
    void aCheckpointWithoutTheDecayStartReadsAsFallingFromWarmUp() throws Exception {
        LrSchedule old = new com.fasterxml.jackson.databind.ObjectMapper().readValue(
                "{\"kind\":\"cosine\",\"floor\":0.1,\"decaySteps\":1100}", LrSchedule.class);
        assertEquals(new LrSchedule("cosine", 0.1, 1100, 0), old);
    }
}
