package org.ddpm4j.runtime.sampling;

/**
 * Conversions between what a model predicts and the x_0 / epsilon that samplers need, one method
 * per equation, with x_t = a x_0 + s eps, a = sqrt(alpha_bar_t), s = sqrt(1 - alpha_bar_t).
 */
public final class Predictions {

    private Predictions() {
    }

    /**
     * x_0 from a model output m: epsilon: (x_t - s m) / a; sample: m; v (v = a eps - s x_0): a x_t - s m.
     */
    public static double x0(Prediction prediction, double xt, double m, double a, double s) {
        return switch (prediction) {
            case EPSILON -> (xt - s * m) / a;
            case SAMPLE -> m;
            case V -> a * xt - s * m;
        };
    }

    /** epsilon implied by x_t and an estimate of x_0: (x_t - a x_0) / s. */
    public static double epsilonFromX0(double xt, double x0, double a, double s) {
        return (xt - a * x0) / s;
    }

    /**
     * epsilon from a model output m: epsilon: m; sample: (x_t - a m) / s; v: a m + s x_t.
     */
    public static double epsilon(Prediction prediction, double xt, double m, double a, double s) {
        return switch (prediction) {
            case EPSILON -> m;
            case SAMPLE -> (xt - a * m) / s;
            case V -> a * m + s * xt;
        };
    }

    /**
     * What a model of this prediction type is trained to output for x_t = a x_0 + s eps: epsilon:
     * eps; sample: x_0; v: a eps - s x_0 (Salimans and Ho 2022). {@link #epsilon} and {@link #x0}
     * invert it exactly.
     */
    public static double target(Prediction prediction, double x0, double eps, double a, double s) {
        return switch (prediction) {
            case EPSILON -> eps;
            case SAMPLE -> x0;
            case V -> a * eps - s * x0;
        };
    }

    /** Clamps x_0 to the data range [-1, 1]. */
    public static double clip(double x0) {
        return Math.max(-1.0, Math.min(1.0, x0));
    }
}
