package org.ddpm4j.trainer.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Locale;
import org.ddpm4j.runtime.sampling.Prediction;

/**
 * What the network is trained to predict and how the loss is weighted over timesteps.
 *
 * <p>Targets, for x_t = a x_0 + s eps with a = sqrt(alpha_bar_t), s = sqrt(1 - alpha_bar_t):
 * epsilon: eps; sample: x_0; v: a eps - s x_0 (the runtime's {@code Predictions.target}).
 *
 * <p>Weightings, with SNR(t) = alpha_bar_t / (1 - alpha_bar_t): {@code none} (every t counts the
 * same, the paper's simplified objective); {@code min-snr} (Hang et al. 2023, "Efficient Diffusion
 * Training via Min-SNR Weighting Strategy"): the x_0-space weight min(SNR, gamma) expressed for each
 * target, min(SNR, gamma) / SNR for epsilon, min(SNR, gamma) for x_0, min(SNR, gamma) / (SNR + 1) for
 * v, so that low-noise steps no longer dominate the gradient.
 *
 * @param prediction epsilon | sample | v
 * @param weighting  none | min-snr
 * @param snrGamma   gamma of min-SNR (5 in the paper)
 */
public record Objective(String prediction, String weighting, double snrGamma) {

    /** The loss weightings. */
    public static final List<String> WEIGHTINGS = List.of("none", "min-snr");
    /** min-SNR's gamma when none is given. */
    public static final double DEFAULT_GAMMA = 5.0;
    /** Epsilon prediction, unweighted: the DDPM paper's objective. */
    public static final Objective DEFAULT = new Objective("epsilon", "none", DEFAULT_GAMMA);

    /** Missing values (an older checkpoint) take the defaults. */
    public Objective {
        prediction = prediction == null ? "epsilon" : Prediction.fromId(prediction).id();
        weighting = weighting == null ? "none" : weighting.trim().toLowerCase(Locale.ROOT);
        if (!WEIGHTINGS.contains(weighting)) {
            throw new IllegalArgumentException("Unknown loss weighting '" + weighting + "', expected one of "
                    + String.join(", ", WEIGHTINGS));
        }
        if (snrGamma == 0) {
            snrGamma = DEFAULT_GAMMA;
        }
        if (!(snrGamma > 0) || !Double.isFinite(snrGamma)) {
            throw new IllegalArgumentException("min-SNR gamma must be positive, found " + snrGamma);
        }
    }

    /** The prediction type. */
    @JsonIgnore
    public Prediction predictionType() {
        return Prediction.fromId(prediction);
    }

    /** Whether the loss is min-SNR weighted. */
    @JsonIgnore
    public boolean minSnr() {
        return weighting.equals("min-snr");
    }

    /** Whether this is epsilon prediction without weighting (the loss is then exactly the plain mean). */
    @JsonIgnore
    public boolean isDefault() {
        return predictionType() == Prediction.EPSILON && !minSnr();
    }

    /** SNR(t) = alpha_bar / (1 - alpha_bar). */
    public static double snr(double alphaBar) {
        return alphaBar / (1.0 - alphaBar);
    }

    /** The loss weight of a sample noised to {@code alphaBar} (1 without weighting). */
    public double weight(double alphaBar) {
        if (!minSnr()) {
            return 1.0;
        }
        double snr = snr(alphaBar);
        double clipped = Math.min(snr, snrGamma);
        return switch (predictionType()) {
            case EPSILON -> clipped / snr;
            case SAMPLE -> clipped;
            case V -> clipped / (snr + 1.0);
        };
    }
}
