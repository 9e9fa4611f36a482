package org.ddpm4j.runtime.schedule;

/**
 * A discrete variance schedule beta_1..beta_T and every coefficient derived from it, computed once
 * in double precision. Index {@code t} runs from 0 to T-1 (code index; the paper's t = index + 1).
 *
 * <p>This is the one place where the diffusion coefficients are derived: the trainer and every
 * sampler read them from here, so training and sampling can never disagree.
 */
public final class NoiseSchedule {

    /** Default beta_1 of the linear schedule (Ho et al. 2020). */
    public static final double DEFAULT_BETA_START = 1e-4;
    /** Default beta_T of the linear schedule (Ho et al. 2020). */
    public static final double DEFAULT_BETA_END = 0.02;
    /** Default number of diffusion steps. */
    public static final int DEFAULT_TIMESTEPS = 1000;
    /** Offset s of the cosine schedule (Nichol and Dhariwal 2021). */
    public static final double COSINE_S = 0.008;
    /** Largest beta the cosine schedule may reach. */
    public static final double COSINE_MAX_BETA = 0.999;

    private final ScheduleType type;
    private final double betaStart;
    private final double betaEnd;
    private final double[] betas;
    private final double[] alphas;
    private final double[] alphaBars;
    private final double[] alphaBarsPrev;
    private final double[] sqrtAlphaBars;
    private final double[] sqrtOneMinusAlphaBars;
    private final double[] posteriorVariance;
    private final double[] posteriorLogVarianceClipped;
    private final double[] posteriorMeanCoef1;
    private final double[] posteriorMeanCoef2;

    private NoiseSchedule(ScheduleType type, double betaStart, double betaEnd, double[] betas) {
        this.type = type;
        this.betaStart = betaStart;
        this.betaEnd = betaEnd;
        int n = betas.length;
        this.betas = betas;
        this.alphas = new double[n];
        this.alphaBars = new double[n];
        this.alphaBarsPrev = new double[n];
        this.sqrtAlphaBars = new double[n];
        this.sqrtOneMinusAlphaBars = new double[n];
        this.posteriorVariance = new double[n];
        this.posteriorLogVarianceClipped = new double[n];
        this.posteriorMeanCoef1 = new double[n];
        this.posteriorMeanCoef2 = new double[n];
        double prod = 1.0;
        for (int t = 0; t < n; t++) {
            alphas[t] = 1.0 - betas[t];
            alphaBarsPrev[t] = prod;
            prod *= alphas[t];
            alphaBars[t] = prod;
            sqrtAlphaBars[t] = Math.sqrt(prod);
            sqrtOneMinusAlphaBars[t] = Math.sqrt(1.0 - prod);
            // q(x_{t-1} | x_t, x_0): eq. (6)-(7) of Ho et al.
            posteriorVariance[t] = betas[t] * (1.0 - alphaBarsPrev[t]) / (1.0 - alphaBars[t]);
            posteriorMeanCoef1[t] = betas[t] * Math.sqrt(alphaBarsPrev[t]) / (1.0 - alphaBars[t]);
            posteriorMeanCoef2[t] = (1.0 - alphaBarsPrev[t]) * Math.sqrt(alphas[t]) / (1.0 - alphaBars[t]);
        }
        for (int t = 0; t < n; t++) {
            // the variance at t = 0 is 0; its log is clipped to the value at t = 1, as the paper's code does
            double v = t == 0 && n > 1 ? posteriorVariance[1] : posteriorVariance[t];
            posteriorLogVarianceClipped[t] = Math.log(v);
        }
    }

    /**
     * Builds a schedule by type. {@code betaStart} and {@code betaEnd} are ignored by {@link ScheduleType#COSINE}.
     *
     * @throws IllegalArgumentException when T is below 1 or the beta range is not 0 &lt; start &lt;= end &lt; 1
     */
    public static NoiseSchedule of(ScheduleType type, int timesteps, double betaStart, double betaEnd) {
        return switch (type) {
            case LINEAR -> linear(timesteps, betaStart, betaEnd);
            case COSINE -> cosine(timesteps);
            case SCALED_LINEAR -> scaledLinear(timesteps, betaStart, betaEnd);
            case SIGMOID -> sigmoid(timesteps, betaStart, betaEnd);
        };
    }

    /** The paper's schedule: T = 1000, betas linear from 1e-4 to 0.02. */
    public static NoiseSchedule defaultLinear() {
        return linear(DEFAULT_TIMESTEPS, DEFAULT_BETA_START, DEFAULT_BETA_END);
    }

    /** Betas evenly spaced from {@code betaStart} to {@code betaEnd} inclusive. */
    public static NoiseSchedule linear(int timesteps, double betaStart, double betaEnd) {
        checkRange(timesteps, betaStart, betaEnd);
        double[] betas = new double[timesteps];
        for (int t = 0; t < timesteps; t++) {
            betas[t] = betaStart + (betaEnd - betaStart) * fraction(t, timesteps);
        }
        return new NoiseSchedule(ScheduleType.LINEAR, betaStart, betaEnd, betas);
    }

    /** Square roots of the betas evenly spaced, then squared. */
    public static NoiseSchedule scaledLinear(int timesteps, double betaStart, double betaEnd) {
        checkRange(timesteps, betaStart, betaEnd);
        double a = Math.sqrt(betaStart);
        double b = Math.sqrt(betaEnd);
        double[] betas = new double[timesteps];
        for (int t = 0; t < timesteps; t++) {
            double r = a + (b - a) * fraction(t, timesteps);
            betas[t] = r * r;
        }
        return new NoiseSchedule(ScheduleType.SCALED_LINEAR, betaStart, betaEnd, betas);
    }

    /** Sigmoid of T points evenly spaced in [-6, 6], mapped onto [betaStart, betaEnd]. */
    public static NoiseSchedule sigmoid(int timesteps, double betaStart, double betaEnd) {
        checkRange(timesteps, betaStart, betaEnd);
        double[] betas = new double[timesteps];
        for (int t = 0; t < timesteps; t++) {
            double x = -6.0 + 12.0 * fraction(t, timesteps);
            betas[t] = betaStart + (betaEnd - betaStart) / (1.0 + Math.exp(-x));
        }
        return new NoiseSchedule(ScheduleType.SIGMOID, betaStart, betaEnd, betas);
    }

    /**
     * The cosine schedule: alpha_bar(t) = f(t)/f(0), f(t) = cos^2(((t/T) + s)/(1 + s) * pi/2),
     * beta_t = min(1 - alpha_bar(t)/alpha_bar(t-1), 0.999).
     */
    public static NoiseSchedule cosine(int timesteps) {
        if (timesteps < 1) {
            throw new IllegalArgumentException("timesteps must be at least 1, found " + timesteps);
        }
        double[] betas = new double[timesteps];
        for (int t = 0; t < timesteps; t++) {
            double a1 = cosineF((double) t / timesteps);
            double a2 = cosineF((double) (t + 1) / timesteps);
            betas[t] = Math.min(1.0 - a2 / a1, COSINE_MAX_BETA);
        }
        return new NoiseSchedule(ScheduleType.COSINE, Double.NaN, Double.NaN, betas);
    }

    private static double cosineF(double u) {
        double c = Math.cos((u + COSINE_S) / (1.0 + COSINE_S) * Math.PI / 2.0);
        return c * c;
    }

    private static double fraction(int t, int timesteps) {
        return timesteps == 1 ? 0.0 : (double) t / (timesteps - 1);
    }

    private static void checkRange(int timesteps, double betaStart, double betaEnd) {
        if (timesteps < 1) {
            throw new IllegalArgumentException("timesteps must be at least 1, found " + timesteps);
        }
        if (!(betaStart > 0 && betaStart <= betaEnd && betaEnd < 1)) {
            throw new IllegalArgumentException("beta range must satisfy 0 < beta_start <= beta_end < 1, found "
                    + betaStart + ".." + betaEnd);
        }
    }

    public ScheduleType type() {
        return type;
    }

    /** beta_1 for beta-range schedules, NaN for cosine. */
    public double betaStart() {
        return betaStart;
    }

    /** beta_T for beta-range schedules, NaN for cosine. */
    public double betaEnd() {
        return betaEnd;
    }

    /** T, the number of diffusion steps. */
    public int timesteps() {
        return betas.length;
    }

    public double beta(int t) {
        return betas[t];
    }

    public double alpha(int t) {
        return alphas[t];
    }

    /** alpha_bar_t = prod_{s<=t} (1 - beta_s). */
    public double alphaBar(int t) {
        return alphaBars[t];
    }

    /** alpha_bar_{t-1}, with alpha_bar_{-1} = 1. */
    public double alphaBarPrev(int t) {
        return alphaBarsPrev[t];
    }

    /** alpha_bar at t, or 1 for t &lt; 0 (the clean image): what DDIM needs at its last step. */
    public double alphaBarOrOne(int t) {
        return t < 0 ? 1.0 : alphaBars[t];
    }

    public double sqrtAlphaBar(int t) {
        return sqrtAlphaBars[t];
    }

    public double sqrtOneMinusAlphaBar(int t) {
        return sqrtOneMinusAlphaBars[t];
    }

    /** beta~_t = beta_t (1 - alpha_bar_{t-1}) / (1 - alpha_bar_t), eq. (7). */
    public double posteriorVariance(int t) {
        return posteriorVariance[t];
    }

    /** log beta~_t with the t = 0 entry replaced by t = 1's (the variance there is 0). */
    public double posteriorLogVarianceClipped(int t) {
        return posteriorLogVarianceClipped[t];
    }

    /** Coefficient of x_0 in the posterior mean, eq. (7). */
    public double posteriorMeanCoef1(int t) {
        return posteriorMeanCoef1[t];
    }

    /** Coefficient of x_t in the posterior mean, eq. (7). */
    public double posteriorMeanCoef2(int t) {
        return posteriorMeanCoef2[t];
    }

    /** A copy of the betas. */
    public double[] betas() {
        return betas.clone();
    }

    /** A copy of alpha_bar. */
    public double[] alphaBars() {
        return alphaBars.clone();
    }

    /** A copy of sqrt(alpha_bar), for the trainer's q(x_t | x_0). */
    public double[] sqrtAlphaBars() {
        return sqrtAlphaBars.clone();
    }

    /** A copy of sqrt(1 - alpha_bar), for the trainer's q(x_t | x_0). */
    public double[] sqrtOneMinusAlphaBars() {
        return sqrtOneMinusAlphaBars.clone();
    }

    /**
     * The variance of the strided posterior q(x_prev | x_t, x_0) for prev &lt; t:
     * (1 - alpha_bar_prev) / (1 - alpha_bar_t) * (1 - alpha_bar_t / alpha_bar_prev), where
     * 1 - alpha_bar_t / alpha_bar_prev is the variance of q(x_t | x_prev) (the strided beta).
     * {@code prev = -1} means x_0 (variance 0); {@code prev = t - 1} gives {@link #posteriorVariance(int)}.
     * This is diffusers' {@code DDIMScheduler._get_variance(t, prev)}: 0.14771 for (420, 400) on the
     * linear 1e-4..0.02, T = 1000 schedule. Strided DDPM uses it as sigma^2, DDIM scales it by eta^2.
     */
    public double posteriorVariance(int t, int prevT) {
        double abT = alphaBarOrOne(t);
        double abPrev = alphaBarOrOne(prevT);
        double betaT = 1.0 - abT / abPrev;
        return (1.0 - abPrev) / (1.0 - abT) * betaT;
    }

    @Override
    public String toString() {
        return type.usesBetaRange()
                ? type.id() + "(T=" + timesteps() + ", beta " + betaStart + ".." + betaEnd + ")"
                : type.id() + "(T=" + timesteps() + ")";
    }
}
