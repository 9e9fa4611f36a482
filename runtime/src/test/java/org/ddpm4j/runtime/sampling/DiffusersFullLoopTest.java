package org.ddpm4j.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.ddpm4j.runtime.noise.BatchNoise;
import org.ddpm4j.runtime.noise.GaussianNoise;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Full-loop goldens: a closed-form toy denoiser run through the whole reverse process by diffusers' schedulers
 * and by ddpm4j's samplers must end at the same x_0.
 *
 * <p><b>How the goldens were made.</b> {@code src/test/resources/goldens/diffusers_full_loop.py} runs diffusers'
 * own {@code scheduling_ddim.py}, {@code scheduling_ddpm.py}, {@code scheduling_dpmsolver_multistep.py} and
 * {@code scheduling_utils.py}, unchanged, from diffusers commit 58eb52c0803ea9af3abec60841c2a093bdf1f951
 * (2026-08-23, version 0.40.0.dev0), with stand-ins for the modules they import that do no maths (config
 * registration, BaseOutput, deprecate, randn_tensor); Python 3.11.2, torch 1.13.0a0, numpy 1.24.2 (Debian's
 * /usr/bin/python3). The loop is the pipelines': {@code set_timesteps(n)}, then for each timestep
 * {@code x = step(model(x, t), t, x).prev_sample}. Common configuration: linear betas 1e-4 .. 0.02, T = 1000,
 * epsilon prediction, {@code clip_sample=False}, {@code steps_offset=0}; DDIM {@code set_alpha_to_one=True};
 * DPM-Solver {@code solver_order=2, solver_type='midpoint', lower_order_final=True, final_sigmas_type='zero'}
 * (diffusers' defaults). Each case has two goldens:
 * <ul>
 *   <li>{@code _F32}: the files as they are (betas by {@code torch.linspace} in float32, float32
 *       {@code alphas_cumprod} and samples), what a diffusers pipeline computes;</li>
 *   <li>{@code _F64}: the same files with "float32" replaced by "float64" throughout and float64 samples: the
 *       same algorithm on a float64 schedule, which is what ddpm4j's {@link NoiseSchedule} is (its linear betas
 *       are {@code start + (end - start) t / (T - 1)} in double; torch's float32 linspace differs by float32
 *       rounding, and the float32 cumulative product drifts further: relative 1e-6 .. 1e-5 at the end).</li>
 * </ul>
 *
 * <p><b>The toy model</b> ({@link MixtureDenoiser}): the exact E[eps | x_t] for pixels drawn independently from
 * 1/2 N(-0.6, 0.25^2) + 1/2 N(+0.6, 0.25^2), a non-linear function of x_t (a tanh), evaluated in double from
 * ddpm4j's schedule on both sides. Two 1x2x2 images start from {@link #X_T} (values exact in binary).
 *
 * <p><b>Noise.</b> ddpm4j's stochastic samplers draw from {@code new BatchNoise(7, 8)}; the script ports
 * {@link GaussianNoise} (SplittableRandom's SplitMix64 and the same Box-Muller) and hands the same float32 values
 * to diffusers, as {@code variance_noise} (DDIM, DPM-Solver SDE) or through {@code randn_tensor} (DDPM), one draw
 * for each step where ddpm4j draws (every step but the last). {@link #theScriptsNoiseIsGaussianNoise} pins the
 * port's first values.
 *
 * <p><b>Tolerances</b>, as max |ddpm4j - golden| / max |golden| over the 8 values:
 * <ul>
 *   <li>{@link #TOL_F64} = 2e-6 against the float64 goldens: the same schedule, so only ddpm4j's float32 storage
 *       of x and of the model output between steps differs (2^-24 = 6e-8 relative per rounding, a few per step,
 *       partly cancelling). Measured (OpenJDK 17, x86-64): 4.5e-8 .. 2.1e-7 over the deterministic cases, 1.7e-7 ..
 *       4.3e-7 over the stochastic ones (2.2e-7 after DDPM's 1000 steps).</li>
 *   <li>{@link #TOL_F32} = 5e-5 against the float32 goldens: diffusers' float32 schedule itself moves the result
 *       by up to 1.7e-5 (DDPM 1000 steps, the SDE with Karras sigmas; the script prints the figure for each case
 *       and the comment above each golden repeats it), plus the float32 arithmetic of its steps. Measured: 1.7e-7
 *       .. 1.7e-5, the largest where the float32 and float64 goldens differ most.</li>
 * </ul>
 * A wrong timestep, coefficient, history weight or noise draw moves the result by 1e-3 or more: the two known
 * differences below are 1.2e-2 .. 0.19, and the closest two goldens of different cases (DDIM leading and trailing at
 * 50 steps) are 2.6e-3 apart ({@link #theGoldensTellTheCasesApart}), 50 times {@link #TOL_F32}.
 *
 * <p><b>Known differences</b> (ddpm4j keeps its behaviour; both are diffusers' choices, not ddpm4j bugs):
 * <ul>
 *   <li>DDIM with linspace spacing: diffusers' {@code DDIMScheduler.step} goes from t to
 *       {@code t - T // num_inference_steps} (999 to 899 at 10 steps), not to the next timestep it then calls the
 *       model at (888); ddpm4j's {@link DdimSampler} steps to the next visited level. The two agree wherever the
 *       spacing is a multiple of {@code T // n} (leading always; trailing when n divides T), and differ by 0.107
 *       (10 steps) and 0.0118 (50 steps) on linspace. {@link #ddimLinspaceIsDiffusersOnlyWithItsPreviousTimestep}
 *       reproduces diffusers' numbers with ddpm4j's DDIM step and diffusers' rule.</li>
 *   <li>DDPM with a spacing that does not end at t = 0 (trailing): diffusers adds noise whenever t &gt; 0, so its
 *       last step (t = 19 at 50 steps) adds {@code sqrt(variance) z}: 1e-10 z for fixed_small (the variance to
 *       x_0 is 0, clamped to 1e-20), but sqrt(1 - ab_19) z = 0.076 z for fixed_large. ddpm4j adds no noise at the
 *       last step, as Ho et al.'s Algorithm 2 does (0.19 apart). {@link #ddpmFixedLargeTrailingAddsNoiseAtTheLastStepInDiffusers}
 *       shows the golden is ddpm4j's result plus that one extra draw.</li>
 * </ul>
 */
class DiffusersFullLoopTest {

    private static final NoiseSchedule LINEAR = NoiseSchedule.linear(1000, 1e-4, 0.02);
    private static final double M = 0.6;
    private static final double S = 0.25;
    /** x_T: two images of 1x2x2, NCHW. */
    private static final float[] X_T = {1.25f, -0.6875f, 0.34375f, -1.8125f, 0.0625f, 2.375f, -0.4375f, 0.90625f};
    private static final long[] SEEDS = {7, 8};

    private static final double TOL_F64 = 2e-6;
    private static final double TOL_F32 = 5e-5;

    static Stream<Arguments> agreeing() {
        return Stream.of(
                arguments("DDIM_LEADING_10", "ddim", 10, options(0, TimestepSpacing.LEADING),
                        DDIM_LEADING_10_F32, DDIM_LEADING_10_F64),
                arguments("DDIM_TRAILING_10", "ddim", 10, options(0, TimestepSpacing.TRAILING),
                        DDIM_TRAILING_10_F32, DDIM_TRAILING_10_F64),
                arguments("DDIM_LEADING_50", "ddim", 50, options(0, TimestepSpacing.LEADING),
                        DDIM_LEADING_50_F32, DDIM_LEADING_50_F64),
                arguments("DDIM_TRAILING_50", "ddim", 50, options(0, TimestepSpacing.TRAILING),
                        DDIM_TRAILING_50_F32, DDIM_TRAILING_50_F64),
                arguments("DDIM_ETA05_TRAILING_10", "ddim", 10, options(0.5, TimestepSpacing.TRAILING),
                        DDIM_ETA05_TRAILING_10_F32, DDIM_ETA05_TRAILING_10_F64),
                arguments("DDIM_ETA1_LEADING_50", "ddim", 50, options(1.0, TimestepSpacing.LEADING),
                        DDIM_ETA1_LEADING_50_F32, DDIM_ETA1_LEADING_50_F64),
                arguments("DPMPP_TRAILING_10", "dpmpp", 10, options(0, TimestepSpacing.TRAILING),
                        DPMPP_TRAILING_10_F32, DPMPP_TRAILING_10_F64),
                arguments("DPMPP_TRAILING_20", "dpmpp", 20, options(0, TimestepSpacing.TRAILING),
                        DPMPP_TRAILING_20_F32, DPMPP_TRAILING_20_F64),
                arguments("DPMPP_LINSPACE_20", "dpmpp", 20, options(0, TimestepSpacing.LINSPACE),
                        DPMPP_LINSPACE_20_F32, DPMPP_LINSPACE_20_F64),
                arguments("DPMPP_LEADING_20", "dpmpp", 20, options(0, TimestepSpacing.LEADING),
                        DPMPP_LEADING_20_F32, DPMPP_LEADING_20_F64),
                arguments("DPMPP_KARRAS_10", "dpmpp", 10, options(0, TimestepSpacing.KARRAS),
                        DPMPP_KARRAS_10_F32, DPMPP_KARRAS_10_F64),
                arguments("DPMPP_KARRAS_20", "dpmpp", 20, options(0, TimestepSpacing.KARRAS),
                        DPMPP_KARRAS_20_F32, DPMPP_KARRAS_20_F64),
                arguments("DPMPP_LU_10", "dpmpp", 10, options(0, TimestepSpacing.LU_LAMBDAS),
                        DPMPP_LU_10_F32, DPMPP_LU_10_F64),
                arguments("DPMPP_LU_20", "dpmpp", 20, options(0, TimestepSpacing.LU_LAMBDAS),
                        DPMPP_LU_20_F32, DPMPP_LU_20_F64),
                arguments("DPMPP_SDE_TRAILING_20", "dpmpp-sde", 20, options(0, TimestepSpacing.TRAILING),
                        DPMPP_SDE_TRAILING_20_F32, DPMPP_SDE_TRAILING_20_F64),
                arguments("DPMPP_SDE_KARRAS_20", "dpmpp-sde", 20, options(0, TimestepSpacing.KARRAS),
                        DPMPP_SDE_KARRAS_20_F32, DPMPP_SDE_KARRAS_20_F64),
                arguments("DDPM_1000", "ddpm", 1000, options(0, TimestepSpacing.LINSPACE),
                        DDPM_1000_F32, DDPM_1000_F64),
                arguments("DDPM_LINSPACE_50", "ddpm", 50, options(0, TimestepSpacing.LINSPACE),
                        DDPM_LINSPACE_50_F32, DDPM_LINSPACE_50_F64),
                arguments("DDPM_LARGE_LEADING_50", "ddpm", 50,
                        options(0, TimestepSpacing.LEADING).withVariance(VarianceType.FIXED_LARGE),
                        DDPM_LARGE_LEADING_50_F32, DDPM_LARGE_LEADING_50_F64));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("agreeing")
    void ddpm4jEndsWhereDiffusersEnds(String id, String sampler, int steps, SamplerOptions options, float[] f32,
            double[] f64) {
        float[] x = run(Samplers.create(sampler, LINEAR, steps, options), new BatchNoise(SEEDS));
        double e64 = relativeError(x, f64);
        double e32 = relativeError(x, widen(f32));
        assertTrue(e64 <= TOL_F64, id + ": " + e64 + " from diffusers on a float64 schedule");
        assertTrue(e32 <= TOL_F32, id + ": " + e32 + " from diffusers as it runs (float32)");
    }

    /**
     * diffusers' DDIM steps from t to {@code t - T // n}; with linspace spacing that is not the next timestep. ddpm4j's
     * DDIM step, given diffusers' pair of levels for each call, reproduces diffusers' result; ddpm4j's own linspace
     * run (to the next visited level) does not.
     */
    @ParameterizedTest(name = "{0} steps")
    @ValueSource(ints = {10, 50})
    void ddimLinspaceIsDiffusersOnlyWithItsPreviousTimestep(int steps) {
        double[] golden = steps == 10 ? DDIM_LINSPACE_10_F64 : DDIM_LINSPACE_50_F64;
        float[] goldenF32 = steps == 10 ? DDIM_LINSPACE_10_F32 : DDIM_LINSPACE_50_F32;

        float[] own = run(Samplers.create("ddim", LINEAR, steps, options(0, TimestepSpacing.LINSPACE)),
                new BatchNoise(SEEDS));
        double ownError = relativeError(own, golden);
        assertTrue(ownError > 1e-3, "ddpm4j's linspace DDIM now agrees with diffusers' (" + ownError
                + "): update this test and the class comment");

        MixtureDenoiser model = new MixtureDenoiser(LINEAR);
        float[] x = X_T.clone();
        float[] out = new float[x.length];
        for (int t : TimestepSpacing.LINSPACE.timesteps(1000, steps)) {
            model.predict(x, new long[] {t, t}, out);
            int prev = t - 1000 / steps;
            NoiseLevels levels = prev >= 0
                    ? NoiseLevels.atTimesteps(LINEAR, new int[] {t, prev})
                    : NoiseLevels.atTimesteps(LINEAR, new int[] {t});
            new DdimSampler(LINEAR, levels, 0.0, false, false).step(0, Prediction.EPSILON, x, out, null, null);
        }
        assertTrue(relativeError(x, golden) <= TOL_F64, "diffusers' rule: " + relativeError(x, golden));
        assertTrue(relativeError(x, widen(goldenF32)) <= TOL_F32, "diffusers' rule: " + relativeError(x, widen(goldenF32)));
    }

    /**
     * diffusers' DDPM adds noise whenever t &gt; 0, so with trailing spacing its last step (t = 19 to the clean image)
     * adds sqrt(beta') z, beta' = 1 - ab_19 for fixed_large; ddpm4j adds none there. The golden is ddpm4j's result
     * plus that draw (the next values of the same noise streams).
     */
    @Test
    void ddpmFixedLargeTrailingAddsNoiseAtTheLastStepInDiffusers() {
        DdpmSampler sampler = (DdpmSampler) Samplers.create("ddpm", LINEAR, 50,
                options(0, TimestepSpacing.TRAILING).withVariance(VarianceType.FIXED_LARGE));
        assertEquals(19, sampler.timesteps()[49]);
        BatchNoise noise = new BatchNoise(SEEDS);
        float[] x = run(sampler, noise);
        double ownError = relativeError(x, DDPM_LARGE_TRAILING_50_F64);
        assertTrue(ownError > 1e-3, "ddpm4j now agrees with diffusers (" + ownError + "): update this test");

        float[] z = new float[x.length];
        noise.fill(z);
        double sd = Math.sqrt(sampler.stridedBeta(49));
        assertEquals(Math.sqrt(1 - LINEAR.alphaBar(19)), sd, 1e-15);
        float[] withLastNoise = new float[x.length];
        for (int k = 0; k < x.length; k++) {
            withLastNoise[k] = (float) (x[k] + sd * z[k]);
        }
        assertTrue(relativeError(withLastNoise, DDPM_LARGE_TRAILING_50_F64) <= TOL_F64,
                "plus the last draw: " + relativeError(withLastNoise, DDPM_LARGE_TRAILING_50_F64));
        assertTrue(relativeError(withLastNoise, widen(DDPM_LARGE_TRAILING_50_F32)) <= TOL_F32,
                "plus the last draw: " + relativeError(withLastNoise, widen(DDPM_LARGE_TRAILING_50_F32)));
    }

    /** The script's port of GaussianNoise starts as GaussianNoise does (it printed these values for seed 7). */
    @Test
    void theScriptsNoiseIsGaussianNoise() {
        double[] port = {0.9884743323187353, 0.10465664748899398, -1.8642558067312274, -1.0700431037183418};
        GaussianNoise noise = new GaussianNoise(7);
        for (double expected : port) {
            double actual = noise.nextGaussian();
            assertEquals((float) expected, (float) actual, "as float32");
            assertEquals(expected, actual, 1e-15);
        }
    }

    /** The goldens are far apart from each other, so the tolerances above can tell a wrong case from a right one. */
    @Test
    void theGoldensTellTheCasesApart() {
        double[][] all = agreeing().map(a -> (double[]) a.get()[5]).toArray(double[][]::new);
        double closest = Double.POSITIVE_INFINITY;
        for (int i = 0; i < all.length; i++) {
            for (int j = i + 1; j < all.length; j++) {
                closest = Math.min(closest, relativeError(toFloat(all[i]), all[j]));
            }
        }
        assertTrue(closest > 20 * TOL_F32, "two goldens are only " + closest + " apart");
    }

    private static SamplerOptions options(double eta, TimestepSpacing spacing) {
        return SamplerOptions.DEFAULTS.withEta(eta).withSpacing(spacing);
    }

    private static float[] run(TimestepSampler sampler, BatchNoise noise) {
        float[] x = X_T.clone();
        sampler.sample(new MixtureDenoiser(LINEAR), x, noise, SamplingListener.NONE);
        return x;
    }

    /** max |actual - expected| / max |expected|. */
    private static double relativeError(float[] actual, double[] expected) {
        assertEquals(expected.length, actual.length);
        double diff = 0;
        double scale = 0;
        for (int k = 0; k < actual.length; k++) {
            diff = Math.max(diff, Math.abs(actual[k] - expected[k]));
            scale = Math.max(scale, Math.abs(expected[k]));
        }
        return diff / scale;
    }

    private static double[] widen(float[] v) {
        double[] d = new double[v.length];
        for (int k = 0; k < v.length; k++) {
            d[k] = v[k];
        }
        return d;
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int k = 0; k < v.length; k++) {
            f[k] = (float) v[k];
        }
        return f;
    }

    /**
     * E[eps | x_t] for pixels from 1/2 N(-M, S^2) + 1/2 N(+M, S^2): with a = sqrt(ab_t), sg = sqrt(1 - ab_t) and
     * v = a^2 S^2 + sg^2, E[x_0 | x_t] = a S^2 x_t / v + (1 - a^2 S^2 / v) M tanh(a M x_t / v) and
     * eps = (x_t - a E[x_0 | x_t]) / sg. The script's {@code mixture_eps} is the same expression.
     */
    static final class MixtureDenoiser implements Denoiser {
        private final NoiseSchedule schedule;

        /** The model under {@code schedule}'s noise levels. */
        MixtureDenoiser(NoiseSchedule schedule) {
            this.schedule = schedule;
        }

        @Override
        public int channels() {
            return 1;
        }

        @Override
        public int height() {
            return 2;
        }

        @Override
        public int width() {
            return 2;
        }

        @Override
        public void predict(float[] sample, long[] timesteps, float[] out) {
            int per = sample.length / timesteps.length;
            for (int b = 0; b < timesteps.length; b++) {
                int t = (int) timesteps[b];
                double a = schedule.sqrtAlphaBar(t);
                double sg = schedule.sqrtOneMinusAlphaBar(t);
                double v = a * a * S * S + sg * sg;
                for (int k = b * per; k < (b + 1) * per; k++) {
                    double xt = sample[k];
                    double x0 = a * S * S * xt / v + (1.0 - a * a * S * S / v) * M * Math.tanh(a * M * xt / v);
                    out[k] = (float) ((xt - a * x0) / sg);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The goldens: diffusers_full_loop.py's output, pasted. Each comment names the scheduler's non-default settings
    // (the common ones are in the class comment) and the calls; "the noise" is BatchNoise(7, 8)'s.
    // ---------------------------------------------------------------------------------------------------------

    // DDIMScheduler(timestep_spacing='leading'),
    // set_timesteps(10), step(eta=0.0); timesteps [900, 800, 700]...[100, 0];
    // float32 and float64 schedules differ by 1.02e-06
    private static final float[] DDIM_LEADING_10_F32 = {
            0.688006282f, -0.539913714f, 0.363679111f, -0.797278225f,
            0.0788705721f, 0.894617021f, -0.426100612f, 0.606727958f};
    private static final double[] DDIM_LEADING_10_F64 = {
            0.6880059478585278, -0.5399136623381714, 0.36367910456208663, -0.7972775313738613,
            0.07887055691637994, 0.8946161093000776, -0.4261006273651069, 0.6067277889753845};

    // DDIMScheduler(timestep_spacing='trailing'),
    // set_timesteps(10), step(eta=0.0); timesteps [999, 899, 799]...[199, 99];
    // float32 and float64 schedules differ by 2.41e-07
    private static final float[] DDIM_TRAILING_10_F32 = {
            0.683872223f, -0.541397631f, 0.367767006f, -0.788312495f,
            0.0798748806f, 0.881263554f, -0.429846019f, 0.605928779f};
    private static final double[] DDIM_TRAILING_10_F64 = {
            0.6838721720665109, -0.541397533606259, 0.3677668829021854, -0.7883126608112822,
            0.07987483578211141, 0.8812637489269468, -0.42984580651105914, 0.6059286695100927};

    // DDIMScheduler(timestep_spacing='linspace'),
    // set_timesteps(10), step(eta=0.0); timesteps [999, 888, 777]...[111, 0];
    // float32 and float64 schedules differ by 9.68e-07
    private static final float[] DDIM_LINSPACE_10_F32 = {
            0.718777895f, -0.539600372f, 0.345334291f, -0.856139541f,
            0.0719718412f, 0.980865419f, -0.411223769f, 0.619231462f};
    private static final double[] DDIM_LINSPACE_10_F64 = {
            0.7187775626359845, -0.5396002063219811, 0.3453341368926888, -0.8561388371229142,
            0.071971807439019, 0.9808644691807743, -0.4112236886314568, 0.6192312451805835};

    // DDIMScheduler(timestep_spacing='leading'),
    // set_timesteps(50), step(eta=0.0); timesteps [980, 960, 940]...[20, 0];
    // float32 and float64 schedules differ by 5.72e-07
    private static final float[] DDIM_LEADING_50_F32 = {
            0.774205923f, -0.592711031f, 0.439421445f, -0.928436577f,
            0.17325151f, 1.0717839f, -0.488075346f, 0.668784261f};
    private static final double[] DDIM_LEADING_50_F64 = {
            0.7742054687600738, -0.5927109104424338, 0.4394215859002075, -0.9284361857204406,
            0.17325166189379862, 1.0717832872661308, -0.4880753868708702, 0.6687840341627993};

    // DDIMScheduler(timestep_spacing='trailing'),
    // set_timesteps(50), step(eta=0.0); timesteps [999, 979, 959]...[39, 19];
    // float32 and float64 schedules differ by 2.41e-07
    private static final float[] DDIM_TRAILING_50_F32 = {
            0.772684038f, -0.592772901f, 0.440815598f, -0.925569236f,
            0.176247343f, 1.0676657f, -0.489048243f, 0.668182492f};
    private static final double[] DDIM_TRAILING_50_F64 = {
            0.7726841199231703, -0.5927727200395495, 0.44081547802137755, -0.9255691438170837,
            0.17624716615268463, 1.0676654385257236, -0.48904814198926316, 0.6681823931180753};

    // DDIMScheduler(timestep_spacing='linspace'),
    // set_timesteps(50), step(eta=0.0); timesteps [999, 979, 958]...[20, 0];
    // float32 and float64 schedules differ by 4.58e-07
    private static final float[] DDIM_LINSPACE_50_F32 = {
            0.778494358f, -0.593248487f, 0.437637538f, -0.936484396f,
            0.170140073f, 1.08360255f, -0.486929685f, 0.670781553f};
    private static final double[] DDIM_LINSPACE_50_F64 = {
            0.7784941108829735, -0.5932483474797093, 0.4376375095886937, -0.9364841488586877,
            0.1701400957884715, 1.083602051407528, -0.48692968533643133, 0.6707814424612186};

    // DDIMScheduler(timestep_spacing='trailing'),
    // set_timesteps(10), step(eta=0.5, variance_noise=the noise); timesteps [999, 899, 799]...[199, 99];
    // float32 and float64 schedules differ by 1.53e-07
    private static final float[] DDIM_ETA05_TRAILING_10_F32 = {
            0.681535184f, 0.593247473f, -0.5368132f, -0.6705091f,
            -0.0404643007f, 0.851081967f, -0.828640163f, 0.654211819f};
    private static final double[] DDIM_ETA05_TRAILING_10_F64 = {
            0.6815352764538867, 0.5932473473325166, -0.5368130880849862, -0.6705090742361136,
            -0.04046428296280302, 0.8510820532646971, -0.8286402927451165, 0.6542117737234356};

    // DDIMScheduler(timestep_spacing='leading'),
    // set_timesteps(50), step(eta=1.0, variance_noise=the noise); timesteps [980, 960, 940]...[20, 0];
    // float32 and float64 schedules differ by 2.83e-06
    private static final float[] DDIM_ETA1_LEADING_50_F32 = {
            0.846780896f, 0.421848476f, 0.174761489f, 0.14229621f,
            -0.473432064f, 0.534875751f, 0.164362639f, 0.198876202f};
    private static final double[] DDIM_ETA1_LEADING_50_F64 = {
            0.8467811548648443, 0.42184779295641817, 0.174761181183245, 0.1422956861756902,
            -0.473433331893608, 0.5348757174630063, 0.16436024619529221, 0.19887575412713807};

    // DPMSolverMultistepScheduler(algorithm_type='dpmsolver++', timestep_spacing='trailing'),
    // set_timesteps(10); timesteps [999, 899, 799]...[199, 99];
    // float32 and float64 schedules differ by 2.81e-07
    private static final float[] DPMPP_TRAILING_10_F32 = {
            0.720759153f, -0.580956101f, 0.413547516f, -0.823170483f,
            0.0953224897f, 0.914028823f, -0.474494576f, 0.643712103f};
    private static final double[] DPMPP_TRAILING_10_F64 = {
            0.7207591920990931, -0.580956038469189, 0.413547422957528, -0.8231706068852724,
            0.09532246626149418, 0.9140290806115202, -0.4744944848683804, 0.6437121069674161};

    // DPMSolverMultistepScheduler(algorithm_type='dpmsolver++', timestep_spacing='trailing'),
    // set_timesteps(20); timesteps [999, 949, 899]...[99, 49];
    // float32 and float64 schedules differ by 1.48e-07
    private static final float[] DPMPP_TRAILING_20_F32 = {
            0.77252692f, -0.622529328f, 0.489642411f, -0.905451596f,
            0.185224324f, 1.03189874f, -0.534473836f, 0.684663475f};
    private static final double[] DPMPP_TRAILING_20_F64 = {
            0.7725268201818476, -0.6225293514301927, 0.48964234081341035, -0.9054515080816752,
            0.18522418940262947, 1.0318986142476734, -0.5344736837092573, 0.6846633609382995};

    // DPMSolverMultistepScheduler(algorithm_type='dpmsolver++', timestep_spacing='linspace'),
    // set_timesteps(20); timesteps [999, 949, 899]...[100, 50];
    // float32 and float64 schedules differ by 1.96e-07
    private static final float[] DPMPP_LINSPACE_20_F32 = {
            0.771383643f, -0.621964753f, 0.489072233f, -0.903552592f,
            0.18396236f, 1.0292362f, -0.533920765f, 0.683926821f};
    private static final double[] DPMPP_LINSPACE_20_F64 = {
            0.77138367167279, -0.6219646504620076, 0.489072136707289, -0.9035527793512528,
            0.18396215839927846, 1.0292363298645568, -0.533920653271194, 0.6839267991532985};

    // DPMSolverMultistepScheduler(algorithm_type='dpmsolver++', timestep_spacing='leading'),
    // set_timesteps(20); timesteps [940, 893, 846]...[94, 47];
    // float32 and float64 schedules differ by 3.37e-07
    private static final float[] DPMPP_LEADING_20_F32 = {
            0.77371943f, -0.621352077f, 0.490145773f, -0.90905261f,
            0.190593943f, 1.03757453f, -0.533889592f, 0.684253931f};
    private static final double[] DPMPP_LEADING_20_F64 = {
            0.7737194723900606, -0.6213521211432559, 0.49014571035140436, -0.9090526986264243,
            0.19059383835513452, 1.0375748793981978, -0.5338895768278821, 0.6842540590829135};

    // DPMSolverMultistepScheduler(algorithm_type='dpmsolver++', timestep_spacing='linspace', use_karras_sigmas=True),
    // set_timesteps(10); timesteps [999, 937, 864]...[18, 0];
    // float32 and float64 schedules differ by 7.83e-06
    private static final float[] DPMPP_KARRAS_10_F32 = {
            0.936042249f, -0.738356829f, 0.509890795f, -1.09601808f,
            0.139655039f, 1.24866712f, -0.590004444f, 0.826018393f};
    private static final double[] DPMPP_KARRAS_10_F64 = {
            0.9360396298567938, -0.7383485188848602, 0.5098810117768844, -1.0960202999222015,
            0.13965022333569216, 1.2486729258961267, -0.5899947122836102, 0.8260124594332723};

    // DPMSolverMultistepScheduler(algorithm_type='dpmsolver++', timestep_spacing='linspace', use_karras_sigmas=True),
    // set_timesteps(20); timesteps [999, 971, 940]...[4, 0];
    // float32 and float64 schedules differ by 6.27e-06
    private static final float[] DPMPP_KARRAS_20_F32 = {
            0.83605665f, -0.6366117f, 0.469949961f, -1.00867581f,
            0.181240216f, 1.1713649f, -0.523171723f, 0.719690561f};
    private static final double[] DPMPP_KARRAS_20_F64 = {
            0.8360533020579938, -0.6366060031649377, 0.4699426220824457, -1.0086745145269227,
            0.18123326566375153, 1.1713652258443206, -0.523164982987979, 0.7196858777942847};

    // DPMSolverMultistepScheduler(algorithm_type='dpmsolver++', timestep_spacing='linspace', use_lu_lambdas=True),
    // set_timesteps(10); timesteps [999, 886, 757]...[5, 0];
    // float32 and float64 schedules differ by 1.04e-05
    private static final float[] DPMPP_LU_10_F32 = {
            0.853997469f, -0.642444432f, 0.462080896f, -1.02828622f,
            0.14605397f, 1.18587887f, -0.520755947f, 0.731214464f};
    private static final double[] DPMPP_LU_10_F64 = {
            0.8539927160042732, -0.642435032837183, 0.46206861962782103, -1.0282860138636063,
            0.14604628287736984, 1.185882728323909, -0.5207443842230286, 0.731206903935484};

    // DPMSolverMultistepScheduler(algorithm_type='dpmsolver++', timestep_spacing='linspace', use_lu_lambdas=True),
    // set_timesteps(20); timesteps [999, 947, 893]...[1, 0];
    // float32 and float64 schedules differ by 9e-06
    private static final float[] DPMPP_LU_20_F32 = {
            0.813334465f, -0.615831912f, 0.450897932f, -0.982771635f,
            0.176854223f, 1.14125979f, -0.503051817f, 0.698330581f};
    private static final double[] DPMPP_LU_20_F64 = {
            0.813330109418217, -0.6158242055068415, 0.45088766304127065, -0.9827706923162634,
            0.17684464159028898, 1.1412616958220252, -0.5030420206926265, 0.6983241846861252};

    // DPMSolverMultistepScheduler(algorithm_type='sde-dpmsolver++', timestep_spacing='trailing'),
    // set_timesteps(20), step(variance_noise=the noise); timesteps [999, 949, 899]...[99, 49];
    // float32 and float64 schedules differ by 4.57e-07
    private static final float[] DPMPP_SDE_TRAILING_20_F32 = {
            -0.039810732f, 0.606560826f, -0.362451017f, 0.0318115726f,
            -0.419410527f, 0.752131879f, 0.560742915f, -1.01885414f};
    private static final double[] DPMPP_SDE_TRAILING_20_F64 = {
            -0.039810726638615034, 0.6065607723245829, -0.36245112001654267, 0.03181153858563735,
            -0.41941030084084474, 0.7521316505165789, 0.5607425262040409, -1.0188546063843815};

    // DPMSolverMultistepScheduler(algorithm_type='sde-dpmsolver++', timestep_spacing='linspace', use_karras_sigmas=True),
    // set_timesteps(20), step(variance_noise=the noise); timesteps [999, 971, 940]...[4, 0];
    // float32 and float64 schedules differ by 1.66e-05
    private static final float[] DPMPP_SDE_KARRAS_20_F32 = {
            -0.794163346f, -0.219988659f, -0.795405567f, 0.658761144f,
            -0.650316358f, 0.825308263f, 0.341188431f, -0.925839126f};
    private static final double[] DPMPP_SDE_KARRAS_20_F64 = {
            -0.7941596323740197, -0.2199967288588746, -0.7953901953307089, 0.6587657998184631,
            -0.6503186564108565, 0.8253135650080862, 0.34118313553578383, -0.9258239652419791};

    // DDPMScheduler(variance_type='fixed_small', timestep_spacing='leading'),
    // set_timesteps(1000), randn_tensor gives the noise; timesteps [999, 998, 997]...[1, 0];
    // float32 and float64 schedules differ by 1.73e-05
    private static final float[] DDPM_1000_F32 = {
            -0.91362983f, 0.58624804f, -0.499311239f, 0.576458335f,
            -0.627389908f, -0.792026401f, -0.465634555f, -0.367279202f};
    private static final double[] DDPM_1000_F64 = {
            -0.9136270409562773, 0.5862397209540523, -0.4993072049652679, 0.5764593718506378,
            -0.6273863870415771, -0.7920281790203331, -0.46562535116178483, -0.36729497201935885};

    // DDPMScheduler(variance_type='fixed_small', timestep_spacing='linspace'),
    // set_timesteps(50), randn_tensor gives the noise; timesteps [999, 979, 958]...[20, 0];
    // float32 and float64 schedules differ by 5.04e-06
    private static final float[] DDPM_LINSPACE_50_F32 = {
            0.848023355f, 0.416222572f, 0.0768644139f, 0.194604114f,
            -0.469001055f, 0.536707759f, 0.154196218f, 0.278133214f};
    private static final double[] DDPM_LINSPACE_50_F64 = {
            0.8480276274563614, 0.4162238948308251, 0.07686386829193423, 0.19460572291192843,
            -0.46900475142590703, 0.5367097670350667, 0.154195372911418, 0.2781335081047696};

    // DDPMScheduler(variance_type='fixed_large', timestep_spacing='leading'),
    // set_timesteps(50), randn_tensor gives the noise; timesteps [980, 960, 940]...[20, 0];
    // float32 and float64 schedules differ by 5.22e-06
    private static final float[] DDPM_LARGE_LEADING_50_F32 = {
            0.862842143f, 0.551049531f, -0.153042078f, 0.255704254f,
            -0.345495671f, 0.560629725f, 0.032020513f, 0.377641976f};
    private static final double[] DDPM_LARGE_LEADING_50_F64 = {
            0.8628466468578124, 0.5510515203615006, -0.15304290071407098, 0.25570539041009177,
            -0.34549824647624383, 0.5606320947747991, 0.03201658431228464, 0.3776428577903955};

    // DDPMScheduler(variance_type='fixed_large', timestep_spacing='trailing'),
    // set_timesteps(50), randn_tensor gives the noise; timesteps [999, 979, 959]...[39, 19];
    // float32 and float64 schedules differ by 2.76e-06
    private static final float[] DDPM_LARGE_TRAILING_50_F32 = {
            0.828154147f, 0.469667912f, -0.297856092f, 0.338471293f,
            -0.291715056f, 0.707717955f, -0.057718236f, 0.358368218f};
    private static final double[] DDPM_LARGE_TRAILING_50_F64 = {
            0.828155178923244, 0.46967019675744254, -0.2978568580314013, 0.33847219557073593,
            -0.29171608008511307, 0.707717396504312, -0.057718736934005616, 0.3583685961299992};
}
