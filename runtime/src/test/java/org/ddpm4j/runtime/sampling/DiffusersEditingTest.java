package org.ddpm4j.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.ddpm4j.runtime.model.ModelInfo;
import org.ddpm4j.runtime.noise.BatchNoise;
import org.ddpm4j.runtime.pipeline.DiffusionPipeline;
import org.ddpm4j.runtime.pipeline.GenerationRequest;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Editing against diffusers' own code: the RePaint jump schedule and full inpainting loops of
 * {@code RePaintScheduler}, and the timesteps that image-to-image runs for a strength (the img2img pipelines'
 * {@code get_timesteps}) with full image-to-image loops.
 *
 * <p><b>How the goldens were made.</b> {@code src/test/resources/goldens/diffusers_editing.py} (which reuses
 * {@code diffusers_full_loop.py}'s stand-in modules, toy model, schedule and noise port) ran diffusers'
 * {@code scheduling_repaint.py}, {@code scheduling_ddim.py}, {@code scheduling_ddpm.py},
 * {@code scheduling_dpmsolver_multistep.py} and {@code scheduling_utils.py} unchanged, and
 * {@code StableDiffusionImg2ImgPipeline.get_timesteps} compiled from its source text, at diffusers commit
 * 58eb52c0803ea9af3abec60841c2a093bdf1f951 (the commit of {@link DiffusersFullLoopTest}'s goldens), on Debian's
 * Python 3.11.2, torch 1.13.0a0, numpy 1.24.2. Output: {@code diffusers_editing.txt}. The same script at the
 * release tag v0.25.0 printed identical RePaint schedules and loops and identical DDIM and DDPM img2img
 * timesteps; v0.25.0's DPM-Solver has no {@code final_sigmas_type="zero"}, which ddpm4j's dpmpp follows, so the
 * image-to-image goldens come from the later commit. The loops are the pipelines' ({@code RePaintPipeline}:
 * a step when the timestep goes down, {@code undo_step} when it goes up; img2img: {@code add_noise} at the first
 * timestep, then the steps). Both sides draw noise from {@code BatchNoise(7, 8)} in the same order.
 *
 * <p><b>Tolerances</b> as in {@link DiffusersFullLoopTest}: max |ddpm4j - golden| / max |golden| at most
 * {@link #TOL_F64} against the float64 goldens and {@link #TOL_F32} against the float32 ones (the float32
 * schedule alone moves diffusers' result by up to 1e-5 on 10,000-call loops).
 *
 * <p><b>A known difference</b> (ddpm4j keeps its behaviour): to jump forward from the level of timestep t - T/n
 * back to t, diffusers' {@code undo_step(x, t)} applies the single-timestep betas t .. t + T/n - 1 with one draw
 * each, which are T/n - 1 timesteps higher than the ones between the two levels; ddpm4j's {@link RePaint} applies
 * q(x_t | x_{t - T/n}) with one draw. They are the same step when n = T (the first three RePaint cases, with
 * 10 and 5 jumps back at every jump point) and when there are no jumps. With n = 50 and jumps, diffusers draws
 * 20 noises per jump where ddpm4j draws one, so the two walk different noise paths and end at different samples
 * (1.5 apart, relative, on this toy); {@link #repaintWithJumpsAtAStrideIsDiffusersOnlyWithItsUndoStep}
 * reproduces diffusers' figure with its rule (measured: 1.4e-7 .. 4.5e-7 against the float64 goldens, up to
 * 1.8e-5 against the float32 ones, over all cases).
 */
class DiffusersEditingTest {

    private static final NoiseSchedule LINEAR = NoiseSchedule.linear(1000, 1e-4, 0.02);
    private static final ModelInfo INFO = ModelInfo.of(Prediction.EPSILON, LINEAR, 2, 2, 1, false);
    private static final long[] SEEDS = {7, 8};
    private static final double TOL_F64 = 2e-6;
    private static final double TOL_F32 = 5e-5;
    private static final Map<String, String> GOLDENS = readGoldens();

    // -------------------------------------------------------------------------------------------- RePaint

    static Stream<Arguments> jumpSchedules() {
        return GOLDENS.keySet().stream().filter(k -> k.startsWith("schedule.")).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jumpSchedules")
    void theJumpScheduleIsRePaintSchedulers(String key) {
        String[] p = key.split("\\.");
        int[] expected = ints(GOLDENS.get(key));
        assertArrayEquals(expected, RePaint.jumpSchedule(Integer.parseInt(p[1]), Integer.parseInt(p[2]),
                Integer.parseInt(p[3])), key);
    }

    static Stream<Arguments> repaintCases() {
        return Stream.of(
                Arguments.of("REPAINT_1000_J10_R10_ETA0", "ddim", 1000, 10, 10, 0.0),
                Arguments.of("REPAINT_1000_J10_R10_ETA1", "ddim", 1000, 10, 10, 1.0),
                Arguments.of("REPAINT_1000_J10_R10_ETA1", "ddpm", 1000, 10, 10, 1.0),
                Arguments.of("REPAINT_1000_J5_R3_ETA05", "ddim", 1000, 5, 3, 0.5),
                Arguments.of("REPAINT_50_J10_R1_ETA0", "ddim", 50, 10, 1, 0.0),
                Arguments.of("REPAINT_50_J10_R1_ETA1", "ddim", 50, 10, 1, 1.0),
                Arguments.of("REPAINT_50_J10_R1_ETA1", "ddpm", 50, 10, 1, 1.0));
    }

    /** The pipeline's inpainting (ddim with eta, or ddpm as eta 1) ends where RePaintPipeline ends. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("repaintCases")
    void inpaintingEndsWhereRePaintEnds(String id, String sampler, int steps, int jumpLength, int jumpNSample,
            double eta) {
        float[] x = repaint(sampler, steps, jumpLength, jumpNSample, eta);
        double e64 = relativeError(x, doubles(GOLDENS.get(id + ".f64")));
        double e32 = relativeError(x, doubles(GOLDENS.get(id + ".f32")));
        assertTrue(e64 <= TOL_F64, id + " " + sampler + ": " + e64 + " from diffusers on a float64 schedule");
        assertTrue(e32 <= TOL_F32, id + " " + sampler + ": " + e32 + " from diffusers as it runs (float32)");
        // and the known pixels are the known image, exactly
        float[] original = floats(GOLDENS.get("repaint.original"));
        float[] keep = floats(GOLDENS.get("repaint.keep"));
        for (int k = 0; k < x.length; k++) {
            if (keep[k] == 1f) {
                assertEquals(original[k], x[k], 0.0, "known value " + k);
            }
        }
        RePaint r = new RePaint(Samplers.create(sampler, LINEAR, steps, options(eta)), jumpLength, jumpNSample);
        assertEquals(Integer.parseInt(GOLDENS.get(id + ".calls")), r.modelCalls());
    }

    /**
     * At a stride (n = 50 of T = 1000) with jumps, diffusers' undo_step applies the betas of the timesteps above the
     * level it jumps to. ddpm4j's RePaint does not reproduce that golden; the same loop with diffusers' undo rule
     * does.
     */
    @Test
    void repaintWithJumpsAtAStrideIsDiffusersOnlyWithItsUndoStep() {
        String id = "REPAINT_50_J5_R3_ETA1";
        double[] golden = doubles(GOLDENS.get(id + ".f64"));
        float[] own = repaint("ddim", 50, 5, 3, 1.0);
        double ownError = relativeError(own, golden);
        assertTrue(ownError > 1e-3, "ddpm4j's RePaint now agrees with diffusers at a stride (" + ownError
                + "): update this test and the class comment");

        DdimSampler sampler = (DdimSampler) Samplers.create("ddim", LINEAR, 50, options(1.0));
        float[] original = floats(GOLDENS.get("repaint.original"));
        float[] keep = floats(GOLDENS.get("repaint.keep"));
        BatchNoise noise = new BatchNoise(SEEDS);
        float[] x = new float[8];
        noise.fill(x);
        float[] out = new float[8];
        float[] z = new float[8];
        int[] schedule = RePaint.jumpSchedule(50, 5, 3);
        int last = schedule[0] + 1;
        int stride = 1000 / 50;
        DiffusersFullLoopTest.MixtureDenoiser model = new DiffusersFullLoopTest.MixtureDenoiser(LINEAR);
        for (int u : schedule) {
            if (u < last) {
                int i = 49 - u;
                int t = sampler.timesteps()[i];
                model.predict(x, new long[] {t, t}, out);
                noise.fill(z);
                sampler.step(i, Prediction.EPSILON, x, out, sampler.noiseScale(i) > 0 ? z : null, null);
                double ab = sampler.alphaBarNext(i);
                for (int k = 0; k < 8; k++) {
                    if (keep[k] == 1f) {
                        x[k] = (float) (Math.sqrt(ab) * original[k] + Math.sqrt(1 - ab) * z[k]);
                    }
                }
            } else {
                for (int j = 0; j < stride; j++) { // diffusers: betas[t_last + j], t_last = last * stride
                    double beta = LINEAR.beta(last * stride + j);
                    noise.fill(z);
                    for (int k = 0; k < 8; k++) {
                        x[k] = (float) (Math.sqrt(1 - beta) * x[k] + Math.sqrt(beta) * z[k]);
                    }
                }
            }
            last = u;
        }
        assertTrue(relativeError(x, golden) <= TOL_F64, "diffusers' undo rule: " + relativeError(x, golden));
    }

    private static float[] repaint(String sampler, int steps, int jumpLength, int jumpNSample, double eta) {
        float[] original = floats(GOLDENS.get("repaint.original"));
        float[] keep = floats(GOLDENS.get("repaint.keep"));
        float[] regenerate = new float[keep.length];
        for (int k = 0; k < keep.length; k++) {
            regenerate[k] = 1f - keep[k];
        }
        GenerationRequest request = GenerationRequest.builder().optSampler(sampler).optSteps(steps)
                .optSpacing(TimestepSpacing.LEADING).optEta(eta).optSeeds(SEEDS).optBatchSize(2)
                .optInpainting(original, regenerate, jumpLength, jumpNSample).build();
        try (DiffusionPipeline p = DiffusionPipeline.of(new DiffusersFullLoopTest.MixtureDenoiser(LINEAR), INFO)) {
            return p.generate(request).samples();
        }
    }

    // -------------------------------------------------------------------------------------------- img2img

    static Stream<Arguments> img2imgTimesteps() {
        return GOLDENS.keySet().stream().filter(k -> k.startsWith("timesteps.")).map(Arguments::of);
    }

    /** For every sampler, spacing, step count and strength, image-to-image runs diffusers' timesteps. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("img2imgTimesteps")
    void imageToImageRunsTheTimestepsDiffusersRuns(String key) {
        // timesteps.<kind>.<spacing>.<steps>.<strength>, the strength holding a dot itself
        String[] p = key.split("\\.", 5);
        String kind = p[1];
        TimestepSpacing spacing = TimestepSpacing.fromId(p[2]);
        int steps = Integer.parseInt(p[3]);
        double strength = Double.parseDouble(p[4]);
        int[] expected = ints(GOLDENS.get(key));
        TimestepSampler sampler = Samplers.create(kind, LINEAR, steps, SamplerOptions.DEFAULTS.withSpacing(spacing));
        int first = ImageToImage.firstStep(steps, strength);
        assertEquals(expected.length, ImageToImage.stepsRun(steps, strength), key);
        int[] actual = first == steps ? new int[0] : sampler.fromStep(first).timesteps();
        assertArrayEquals(expected, actual, key);
    }

    static Stream<Arguments> img2imgLoops() {
        return Stream.of(
                Arguments.of("IMG2IMG_DDIM_ETA1_LEADING_50_S058", "ddim", 50, TimestepSpacing.LEADING, 0.58),
                Arguments.of("IMG2IMG_DDIM_ETA1_TRAILING_20_S03", "ddim", 20, TimestepSpacing.TRAILING, 0.3),
                Arguments.of("IMG2IMG_DDPM_LEADING_50_S075", "ddpm", 50, TimestepSpacing.LEADING, 0.75),
                Arguments.of("IMG2IMG_DPMPP_TRAILING_20_S05", "dpmpp", 20, TimestepSpacing.TRAILING, 0.5),
                Arguments.of("IMG2IMG_DPMPP_KARRAS_20_S075", "dpmpp", 20, TimestepSpacing.KARRAS, 0.75),
                Arguments.of("IMG2IMG_DPMPP_SDE_TRAILING_20_S06", "dpmpp-sde", 20, TimestepSpacing.TRAILING, 0.6));
    }

    /** The pipeline's image-to-image (noise to the first level, then the remaining steps) ends where diffusers' does. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("img2imgLoops")
    void imageToImageEndsWhereDiffusersEnds(String id, String sampler, int steps, TimestepSpacing spacing,
            double strength) {
        GenerationRequest request = GenerationRequest.builder().optSampler(sampler).optSteps(steps)
                .optSpacing(spacing).optEta(1.0).optSeeds(SEEDS).optBatchSize(2)
                .optImageToImage(floats(GOLDENS.get("img2img.init")), strength).build();
        float[] x;
        try (DiffusionPipeline p = DiffusionPipeline.of(new DiffusersFullLoopTest.MixtureDenoiser(LINEAR), INFO)) {
            x = p.generate(request).samples();
        }
        double e64 = relativeError(x, doubles(GOLDENS.get(id + ".f64")));
        double e32 = relativeError(x, doubles(GOLDENS.get(id + ".f32")));
        assertTrue(e64 <= TOL_F64, id + ": " + e64 + " from diffusers on a float64 schedule");
        assertTrue(e32 <= TOL_F32, id + ": " + e32 + " from diffusers as it runs (float32)");
    }

    /** The goldens differ from each other by far more than the tolerance, so a wrong case cannot pass. */
    @Test
    void theGoldensTellTheCasesApart() {
        String[] ids = {"REPAINT_1000_J10_R10_ETA0", "REPAINT_1000_J10_R10_ETA1", "REPAINT_1000_J5_R3_ETA05",
            "REPAINT_50_J10_R1_ETA0", "REPAINT_50_J10_R1_ETA1", "REPAINT_50_J5_R3_ETA1"};
        for (int a = 0; a < ids.length; a++) {
            for (int b = a + 1; b < ids.length; b++) {
                double d = relativeError(floats(GOLDENS.get(ids[a] + ".f64")), doubles(GOLDENS.get(ids[b] + ".f64")));
                assertTrue(d > 100 * TOL_F32, ids[a] + " vs " + ids[b] + ": " + d);
            }
        }
    }

    // -------------------------------------------------------------------------------------------- helpers

    private static SamplerOptions options(double eta) {
        return SamplerOptions.DEFAULTS.withEta(eta).withSpacing(TimestepSpacing.LEADING);
    }

    private static Map<String, String> readGoldens() {
        try (InputStream in = DiffusersEditingTest.class.getResourceAsStream("/goldens/diffusers_editing.txt")) {
            Map<String, String> out = new LinkedHashMap<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                int eq = line.indexOf(" = ");
                out.put(eq < 0 ? line.substring(0, line.indexOf(" =")) : line.substring(0, eq),
                        eq < 0 ? "" : line.substring(eq + 3).trim());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int[] ints(String s) {
        return s.isEmpty() ? new int[0] : Arrays.stream(s.split(" ")).mapToInt(Integer::parseInt).toArray();
    }

    private static double[] doubles(String s) {
        return Arrays.stream(s.split(" ")).mapToDouble(Double::parseDouble).toArray();
    }

    private static float[] floats(String s) {
        double[] d = doubles(s);
        float[] f = new float[d.length];
        for (int k = 0; k < d.length; k++) {
            f[k] = (float) d[k];
        }
        return f;
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
}
