package org.ddpm4j.runtime.probe;

import java.util.Locale;

/**
 * The outcome of re-running a probe.
 *
 * @param maxAbsError           largest |output - expected| over the forward probe
 * @param tolerance             its allowed maximum
 * @param trajectoryMaxAbsError largest |final - expected final| over the trajectory
 * @param trajectoryPsnr        PSNR (dB, peak-to-peak 2 for [-1, 1] images) of the trajectory's final images
 * @param trajectoryTolerance   allowed maximum of {@code trajectoryMaxAbsError}
 * @param trajectoryMinPsnr     smallest allowed {@code trajectoryPsnr}
 */
public record ProbeResult(double maxAbsError, double tolerance, double trajectoryMaxAbsError, double trajectoryPsnr,
        double trajectoryTolerance, double trajectoryMinPsnr) {

    /** Forward and trajectory within tolerance (NaN fails). */
    public boolean passed() {
        return maxAbsError <= tolerance && trajectoryMaxAbsError <= trajectoryTolerance
                && trajectoryPsnr >= trajectoryMinPsnr;
    }

    /** One line: "max abs error 3.1e-06 (tolerance 1e-04), trajectory ... PSNR 112.3 dB". */
    public String summary() {
        return String.format(Locale.ROOT,
                "max abs error %.3e (tolerance %.1e); trajectory final max abs error %.3e (tolerance %.1e), PSNR %.1f dB (min %.0f)",
                maxAbsError, tolerance, trajectoryMaxAbsError, trajectoryTolerance, trajectoryPsnr, trajectoryMinPsnr);
    }

    /** Largest absolute difference; NaN anywhere gives NaN. */
    public static double maxAbsError(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("Cannot compare " + a.length + " values with " + b.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (Double.isNaN(d)) {
                return Double.NaN;
            }
            max = Math.max(max, d);
        }
        return max;
    }

    /** PSNR in dB of {@code a} against {@code b} for images in [-1, 1] (peak-to-peak 2); infinite when equal. */
    public static double psnr(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            sum += d * d;
        }
        double mse = sum / a.length;
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(4.0 / mse);
    }
}
