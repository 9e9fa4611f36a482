package org.ddpm4j.runtime.noise;

/**
 * Spherical linear interpolation between two starting noises (Shoemake 1985), the usual way to walk between
 * two seeds of a diffusion model: Gaussian noise of many values lies near a sphere of radius sqrt(n), which a
 * straight line between two draws would leave (its midpoint has about 1/sqrt(2) of the norm).
 *
 * <p>With theta the angle between a and b: {@code slerp(a, b, t) = sin((1 - t) theta) / sin(theta) a +
 * sin(t theta) / sin(theta) b}, in double. t = 0 returns a and t = 1 returns b exactly; nearly parallel inputs
 * (|cos theta| &gt; 0.9995) fall back to the straight line.
 */
public final class Slerp {

    private Slerp() {
    }

    /**
     * Writes slerp(a, b, t) into {@code out[offset .. offset + a.length)}.
     *
     * @throws IllegalArgumentException when a and b differ in length, or t is outside [0, 1]
     */
    public static void interpolate(float[] a, float[] b, double t, float[] out, int offset) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("the two noises differ in length: " + a.length + " and " + b.length);
        }
        if (!(t >= 0 && t <= 1)) {
            throw new IllegalArgumentException("the interpolation position must be in [0, 1], found " + t);
        }
        if (t == 0 || t == 1) {
            System.arraycopy(t == 0 ? a : b, 0, out, offset, a.length);
            return;
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int k = 0; k < a.length; k++) {
            dot += (double) a[k] * b[k];
            na += (double) a[k] * a[k];
            nb += (double) b[k] * b[k];
        }
        double cos = dot / Math.sqrt(na * nb);
        double wa;
        double wb;
        if (!(Math.abs(cos) <= 0.9995)) {
            wa = 1 - t;
            wb = t;
        } else {
            double theta = Math.acos(cos);
            double sin = Math.sin(theta);
            wa = Math.sin((1 - t) * theta) / sin;
            wb = Math.sin(t * theta) / sin;
        }
        for (int k = 0; k < a.length; k++) {
            out[offset + k] = (float) (wa * a[k] + wb * b[k]);
        }
    }

    /** The positions of {@code frames} evenly spaced frames from 0 to 1 (both ends included). */
    public static double[] positions(int frames) {
        if (frames < 2) {
            throw new IllegalArgumentException("an interpolation needs at least 2 frames, found " + frames);
        }
        double[] out = new double[frames];
        for (int f = 0; f < frames; f++) {
            out[f] = f == frames - 1 ? 1.0 : (double) f / (frames - 1);
        }
        return out;
    }
}
