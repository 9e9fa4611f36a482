package org.ddpm4j.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.SplittableRandom;
import org.ddpm4j.runtime.image.ImageTensors;
import org.ddpm4j.runtime.image.InputImages;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.onnx.OnnxOptions;
import org.ddpm4j.runtime.onnx.TestModels;
import org.ddpm4j.runtime.sampling.Denoiser;
import org.ddpm4j.runtime.sampling.Prediction;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The editing modes on the analytic Gaussian model (pixels i.i.d. N(mu, s^2), whose exact denoiser is known in
 * closed form): as an ONNX graph through ONNX Runtime, and in Java for every prediction type and a
 * class-conditional variant.
 */
class ImageEditingTest {

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(200, 1e-4, 0.1);
    private static final int SIZE = 8;

    private static ModelInfo info(Prediction prediction) {
        return ModelInfo.of(prediction, SCHEDULE, SIZE, SIZE, 1, false);
    }

    /** A 8x8 gray test picture (bytes 0..255, with every value of a ramp), as the model's values. */
    private static float[] picture(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[SIZE * SIZE];
        for (int k = 0; k < v.length; k++) {
            v[k] = InputImages.toValue(r.nextInt(256));
        }
        return v;
    }

    /** Regenerate the right half. */
    private static float[] rightHalf() {
        float[] m = new float[SIZE * SIZE];
        for (int y = 0; y < SIZE; y++) {
            for (int x = SIZE / 2; x < SIZE; x++) {
                m[y * SIZE + x] = 1f;
            }
        }
        return m;
    }

    @ParameterizedTest
    @EnumSource(Prediction.class)
    void inpaintingKeepsTheKnownPixelsExactlyInEightBits(Prediction prediction) {
        float[] init = picture(1);
        float[] mask = rightHalf();
        for (String sampler : new String[] {"ddpm", "ddim"}) {
            GenerationResult r = generate(new GaussianModel(prediction, 0), info(prediction), GenerationRequest.builder()
                    .optSampler(sampler).optSteps(25).optEta(0.5).optSeeds(3, 3).optBatchSize(2)
                    .optInpainting(init, mask, 5, 3));
            for (int k = 0; k < 3; k++) {
                BufferedImage img = r.image(k);
                int regeneratedDiffers = 0;
                for (int y = 0; y < SIZE; y++) {
                    for (int x = 0; x < SIZE; x++) {
                        int expected = ImageTensors.toByte(init[y * SIZE + x]);
                        int actual = img.getRGB(x, y) & 0xFF;
                        if (mask[y * SIZE + x] == 0f) {
                            assertEquals(expected, actual, sampler + " image " + k + " pixel " + x + "," + y);
                        } else if (expected != actual) {
                            regeneratedDiffers++;
                        }
                    }
                }
                assertTrue(regeneratedDiffers > 20, sampler + ": the masked half was regenerated (" + regeneratedDiffers
                        + " of 32 pixels changed)");
            }
        }
    }

    @Test
    void inpaintingRefusesMultistepSolversAndWrongSizes() {
        GaussianModel model = new GaussianModel(Prediction.EPSILON, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> generate(model,
                info(Prediction.EPSILON), GenerationRequest.builder().optSampler("dpmpp-sde")
                        .optInpainting(picture(1), rightHalf(), 10, 10)));
        assertTrue(e.getMessage().contains("ancestral sampler") && e.getMessage().contains("multistep"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> generate(model, info(Prediction.EPSILON),
                GenerationRequest.builder().optSampler("ddpm").optSteps(10)
                        .optInpainting(picture(1), new float[SIZE * SIZE - 1], 10, 10)));
        assertTrue(e.getMessage().contains("the mask has 63 values, expected 8x8 = 64"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> generate(model, info(Prediction.EPSILON),
                GenerationRequest.builder().optSampler("ddim").optSteps(10).optImageToImage(new float[3 * 64], 0.5)));
        assertTrue(e.getMessage().contains("the image has 192 values, expected the model's 1x8x8 = 64"), e.getMessage());
    }

    /** The ONNX Gaussian model, through ONNX Runtime: strength 1 is plain sampling, bit for bit. */
    @ParameterizedTest
    @ValueSource(strings = {"ddpm", "ddim", "dpmpp", "dpmpp-sde"})
    void strengthOneIsSamplingFromNoise(String sampler) throws IOException {
        ModelInfo info = ModelInfo.of(Prediction.EPSILON, SCHEDULE, SIZE, SIZE, 1, true);
        try (DiffusionPipeline p = DiffusionPipeline.open(TestModels.gaussianEpsilon(info, 0.2, 0.4), "gauss.onnx",
                OnnxOptions.DEFAULTS.withThreads(1))) {
            GenerationRequest.Builder b = GenerationRequest.builder().optSampler(sampler).optSteps(12).optEta(1)
                    .optSeeds(5, 3).optBatchSize(2);
            float[] plain = p.generate(b.build()).samples();
            float[] full = p.generate(b.optImageToImage(picture(2), 1.0).build()).samples();
            assertArrayEquals(plain, full, sampler);
            float[] half = p.generate(b.optImageToImage(picture(2), 0.5).build()).samples();
            assertNotEquals(plain[0], half[0], sampler);
        }
    }

    @ParameterizedTest
    @EnumSource(Prediction.class)
    void smallStrengthsReturnTheImage(Prediction prediction) {
        float[] init = picture(3);
        GaussianModel model = new GaussianModel(prediction, 0);
        double previous = Double.POSITIVE_INFINITY;
        for (double strength : new double[] {0.3, 0.1, 0.03, 0.01}) {
            float[] x = generate(model, info(prediction), GenerationRequest.builder().optSampler("ddpm").optSteps(100)
                    .optSeeds(9, 1).optImageToImage(init, strength)).samples();
            double rms = rms(x, init);
            assertTrue(rms < previous, "strength " + strength + ": " + rms + " from the image, not below " + previous);
            previous = rms;
        }
        assertTrue(previous < 0.05, "strength 0.01 (1 of 100 steps): " + previous);
        // a strength that leaves no step returns the image unchanged
        GenerationResult none = generate(model, info(prediction), GenerationRequest.builder().optSampler("ddim")
                .optSteps(20).optSeeds(9, 1).optImageToImage(init, 0.04));
        assertArrayEquals(init, none.samples());
        assertEquals(20, none.steps()); // the sampler's, of which none ran
        assertTrue(none.sampler().contains("image-to-image strength 0.04 (no step left: the image unchanged)"), none.sampler());
    }

    @Test
    void strengthOutsideItsRangeIsRefused() {
        for (double s : new double[] {0, -0.1, 1.01, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GenerationRequest.builder().optImageToImage(picture(1), s));
            assertTrue(e.getMessage().startsWith("strength must be in (0, 1]"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(Prediction.class)
    void interpolationEndsAreTheSeedsDrawnAlone(Prediction prediction) {
        for (String sampler : new String[] {"ddim", "dpmpp"}) {
            for (int classes : new int[] {0, 2}) {
                GaussianModel model = new GaussianModel(prediction, classes);
                GenerationRequest.Builder b = GenerationRequest.builder().optSampler(sampler).optSteps(10).optEta(0);
                if (classes > 0) {
                    b.optClassLabels(1).optGuidance(2.0);
                }
                float[] a = generate(model, info(prediction), b.optSeeds(11, 1)).samples();
                float[] c = generate(model, info(prediction), b.optSeeds(12, 1)).samples();
                GenerationResult frames = generate(model, info(prediction), b.optInterpolation(11, 12, 5).optBatchSize(2));
                assertEquals(5, frames.count());
                String what = sampler + ", " + prediction + ", classes " + classes;
                assertArrayEquals(a, frames.tensor(0), what);
                assertArrayEquals(c, frames.tensor(4), what);
                // the middle frames lie between the ends: each frame is nearer to its neighbour than the ends are
                double ends = rms(a, c);
                for (int f = 0; f < 4; f++) {
                    assertTrue(rms(frames.tensor(f), frames.tensor(f + 1)) < ends, what + " frame " + f);
                }
            }
        }
    }

    @Test
    void interpolationRefusesStochasticSamplers() {
        GaussianModel model = new GaussianModel(Prediction.EPSILON, 0);
        for (String sampler : new String[] {"ddpm", "dpmpp-sde"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> generate(model,
                    info(Prediction.EPSILON), GenerationRequest.builder().optSampler(sampler).optSteps(10)
                            .optInterpolation(1, 2, 4)));
            assertTrue(e.getMessage().startsWith("interpolation needs a deterministic sampler"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> generate(model,
                info(Prediction.EPSILON), GenerationRequest.builder().optSampler("ddim").optEta(0.3).optSteps(10)
                        .optInterpolation(1, 2, 4)));
        assertTrue(e.getMessage().contains("draws fresh noise at step 0"), e.getMessage());
    }

    /** One image per batch or all at once: the same pixels, in every mode. */
    @Test
    void editsDoNotDependOnTheBatch() {
        GaussianModel model = new GaussianModel(Prediction.V, 0);
        float[] two = new float[2 * 64];
        System.arraycopy(picture(4), 0, two, 0, 64);
        System.arraycopy(picture(5), 0, two, 64, 64);
        GenerationRequest.Builder[] modes = {
            GenerationRequest.builder().optSampler("dpmpp-sde").optSteps(10).optSeeds(1, 2).optImageToImage(two, 0.6),
            GenerationRequest.builder().optSampler("ddpm").optSteps(10).optSeeds(1, 2).optInpainting(two, rightHalf(), 3, 2),
            GenerationRequest.builder().optSampler("dpmpp").optSteps(10).optInterpolation(1, 2, 2)};
        for (GenerationRequest.Builder b : modes) {
            float[] together = generate(model, info(Prediction.V), b.optBatchSize(2)).samples();
            float[] apart = generate(model, info(Prediction.V), b.optBatchSize(1)).samples();
            assertArrayEquals(together, apart);
        }
    }

    private static GenerationResult generate(Denoiser model, ModelInfo info, GenerationRequest.Builder b) {
        try (DiffusionPipeline p = DiffusionPipeline.of(model, info)) {
            return p.generate(b.build());
        }
    }

    private static double rms(float[] a, float[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += (a[k] - b[k]) * (double) (a[k] - b[k]);
        }
        return Math.sqrt(s / a.length);
    }

    /**
     * The exact denoiser of pixels drawn i.i.d. from N(mu, 0.4^2): E[x_0 | x_t] = mu + a s^2 (x_t - a mu) / (a^2 s^2
     * + 1 - a^2), a = sqrt(alpha_bar_t), returned as the chosen prediction. With K classes, class c has mu = -0.5 +
     * c / (K - 1) and the null label mu = 0.
     */
    static final class GaussianModel implements Denoiser {
        private static final double S = 0.4;
        private final Prediction prediction;
        private final int classes;

        GaussianModel(Prediction prediction, int classes) {
            this.prediction = prediction;
            this.classes = classes;
        }

        @Override
        public int channels() {
            return 1;
        }

        @Override
        public int height() {
            return SIZE;
        }

        @Override
        public int width() {
            return SIZE;
        }

        @Override
        public Prediction prediction() {
            return prediction;
        }

        @Override
        public int classCount() {
            return classes;
        }

        @Override
        public void predict(float[] sample, long[] timesteps, float[] out) {
            predict(sample, timesteps, null, out);
        }

        @Override
        public void predict(float[] sample, long[] timesteps, long[] labels, float[] out) {
            int per = sample.length / timesteps.length;
            for (int b = 0; b < timesteps.length; b++) {
                double mu = labels == null || labels[b] >= classes ? 0.0 : -0.5 + (double) labels[b] / (classes - 1);
                int t = (int) timesteps[b];
                double a = SCHEDULE.sqrtAlphaBar(t);
                double sg = SCHEDULE.sqrtOneMinusAlphaBar(t);
                for (int k = b * per; k < (b + 1) * per; k++) {
                    double xt = sample[k];
                    double x0 = mu + a * S * S * (xt - a * mu) / (a * a * S * S + sg * sg);
                    double eps = (xt - a * x0) / sg;
                    out[k] = (float) switch (prediction) {
                        case EPSILON -> eps;
                        case SAMPLE -> x0;
                        case V -> a * eps - sg * x0;
                    };
                }
            }
        }
    }
}
