package org.ddpm4j.runtime.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.ddpm4j.runtime.sampling.Denoiser;
import org.ddpm4j.runtime.schedule.NoiseSchedule;
import org.junit.jupiter.api.Test;

class ProbeTest {

    /** A deterministic stand-in for a network: eps = tanh(a x + b t / T) with a per-pixel twist. */
    static class Analytic implements Denoiser {
        final double a;

        Analytic(double a) {
            this.a = a;
        }

        @Override
        public int channels() {
            return 2;
        }

        @Override
        public int height() {
            return 4;
        }

        @Override
        public int width() {
            return 3;
        }

        @Override
        public void predict(float[] sample, long[] timesteps, float[] out) {
            int per = sample.length / timesteps.length;
            for (int i = 0; i < sample.length; i++) {
                out[i] = (float) Math.tanh(a * sample[i] + timesteps[i / per] / 1000.0 + 0.01 * (i % per));
            }
        }
    }

    private static final NoiseSchedule SCHEDULE = NoiseSchedule.defaultLinear();

    @Test
    void timestepsCoverZeroMiddleLastAndSeededRandomOnes() {
        long[] ts = ProbeSettings.defaults().timesteps(1000);
        assertEquals(4, ts.length);
        assertEquals(0, ts[0]);
        assertEquals(500, ts[1]);
        assertEquals(999, ts[2]);
        assertTrue(ts[3] >= 0 && ts[3] < 1000);
        assertArrayEquals(ts, ProbeSettings.defaults().timesteps(1000));
    }

    @Test
    void theProbeRecordsTheTrajectoryTimestepsItReplays() {
        ProbeSettings seven = new ProbeSettings(new long[] {1, 2}, 3, 1e-4, new long[] {7}, 7, 0.0, 1e-3, 80);
        Probe p = Probe.record(new Analytic(0.7), seven, SCHEDULE, true, "test");
        Map<String, String> m = p.toMetadata();
        assertEquals("999,832,666,500,333,166,0", m.get(ProbeKeys.TRAJECTORY_TIMESTEPS));
        ProbeResult r = ProbeRunner.run(new Analytic(0.7), Probe.fromMetadata(m), SCHEDULE, true);
        assertEquals(0.0, r.trajectoryMaxAbsError());
    }

    @Test
    void aFileWrittenBeforeTheTimestepsKeyReplaysItsOwnRounding() {
        // such a file's trajectory visited round((T-1)(1 - i/6)) halves up (833 for 7 steps), epsilon from the
        // clipped x0
        ProbeSettings seven = new ProbeSettings(new long[] {1, 2}, 3, 1e-4, new long[] {7}, 7, 0.0, 1e-3, 80);
        Probe now = Probe.record(new Analytic(0.7), seven, SCHEDULE, true, "test");
        int[] legacy = {999, 833, 666, 500, 333, 166, 0};
        float[] oldFinal = Probe.trajectory(new Analytic(0.7), seven.trajectorySeeds(), legacy, 0.0, SCHEDULE, true);
        Map<String, String> m = new HashMap<>(now.toMetadata());
        m.remove(ProbeKeys.TRAJECTORY_TIMESTEPS);
        m.put(ProbeKeys.TRAJECTORY_FINAL, FloatCodec.encode(oldFinal));
        m.put("ddpm.timesteps", "1000");
        Probe old = Probe.fromMetadata(m);
        assertArrayEquals(legacy, old.trajectoryTimesteps());
        assertEquals(0.0, ProbeRunner.run(new Analytic(0.7), old, SCHEDULE, true).trajectoryMaxAbsError());
        assertTrue(FloatCodec.encode(oldFinal).length() > 0 && !java.util.Arrays.equals(oldFinal, now.trajectoryFinal()),
                "the two roundings must give different trajectories for this test to mean anything");
    }

    @Test
    void metadataRoundTripsExactly() {
        Probe p = Probe.record(new Analytic(0.7), ProbeSettings.defaults(), SCHEDULE, true, "test");
        Map<String, String> m = p.toMetadata();
        assertTrue(m.keySet().stream().allMatch(k -> k.startsWith(ProbeKeys.PREFIX)));
        assertEquals(p, Probe.fromMetadata(m));
        assertEquals("4,2,4,3", m.get(ProbeKeys.SHAPE));
    }

    @Test
    void sameModelPassesAndADifferentModelFails() {
        Probe p = Probe.record(new Analytic(0.7), ProbeSettings.defaults(), SCHEDULE, true, "test");
        ProbeResult same = ProbeRunner.run(new Analytic(0.7), p, SCHEDULE, true);
        assertTrue(same.passed(), same.summary());
        assertEquals(0.0, same.maxAbsError());
        assertEquals(Double.POSITIVE_INFINITY, same.trajectoryPsnr());
        ProbeResult other = ProbeRunner.run(new Analytic(0.7001), p, SCHEDULE, true);
        assertTrue(other.maxAbsError() > 0);
        ProbeResult far = ProbeRunner.run(new Analytic(0.8), p, SCHEDULE, true);
        assertFalse(far.passed(), far.summary());
        assertTrue(far.trajectoryPsnr() < 200);
    }

    @Test
    void nanOutputFails() {
        Probe p = Probe.record(new Analytic(0.7), ProbeSettings.defaults(), SCHEDULE, true, "test");
        Denoiser broken = new Analytic(0.7) {
            @Override
            public void predict(float[] sample, long[] timesteps, float[] out) {
                super.predict(sample, timesteps, out);
                out[3] = Float.NaN;
            }
        };
        assertFalse(ProbeRunner.run(broken, p, SCHEDULE, true).passed());
    }

    @Test
    void alteredProbeAndMissingKeysAreRefusedByName() {
        Map<String, String> m = new HashMap<>(Probe.record(new Analytic(0.7), ProbeSettings.defaults(), SCHEDULE, true, "t")
                .toMetadata());
        float[] out = FloatCodec.decode(m.get(ProbeKeys.OUTPUT), "x");
        out[0] += 1;
        Map<String, String> altered = new HashMap<>(m);
        altered.put(ProbeKeys.OUTPUT, FloatCodec.encode(out));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Probe.fromMetadata(altered));
        assertTrue(e.getMessage().contains(ProbeKeys.OUTPUT_SHA256), e.getMessage());
        Map<String, String> missing = new HashMap<>(m);
        missing.remove(ProbeKeys.TIMESTEPS);
        e = assertThrows(IllegalArgumentException.class, () -> Probe.fromMetadata(missing));
        assertTrue(e.getMessage().contains(ProbeKeys.TIMESTEPS), e.getMessage());
    }

    @Test
    void codecsRoundTrip() {
        float[] v = {0f, -1.5f, 3.25e-7f, Float.MAX_VALUE};
        assertArrayEquals(v, FloatCodec.decode(FloatCodec.encode(v), "v"));
        assertArrayEquals(new long[] {1, -2, 3}, FloatCodec.parseLongs(FloatCodec.joinLongs(new long[] {1, -2, 3}), "l"));
        assertThrows(IllegalArgumentException.class, () -> FloatCodec.decode("AAA", "k"));
        assertEquals(10 * Math.log10(4.0 / 0.25), ProbeResult.psnr(new float[] {0.5f, -0.5f}, new float[] {0f, 0f}), 1e-12);
    }
}
