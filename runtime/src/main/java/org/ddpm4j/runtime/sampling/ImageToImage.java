package org.ddpm4j.runtime.sampling;

/**
 * Image-to-image (SDEdit, Meng et al. 2022): noise a given image to an intermediate level of a sampler's
 * schedule, then run the sampler's remaining steps. The strength S in (0, 1] chooses the level as diffusers'
 * img2img pipelines do ({@code get_timesteps}): of a sampler's n steps the last {@code floor(n S)} are run,
 * starting at step {@code n - floor(n S)}, whatever the spacing. S = 1 runs every step from pure noise (the
 * image is not used: plain sampling, as diffusers' inpainting pipelines do at full strength); a strength so
 * small that no step is left returns the image unchanged.
 */
public final class ImageToImage {

    private ImageToImage() {
    }

    /**
     * The number of steps image-to-image runs: {@code min(floor(steps * strength), steps)} (diffusers'
     * {@code init_timestep}).
     *
     * @throws IllegalArgumentException unless 0 &lt; strength &lt;= 1
     */
    public static int stepsRun(int steps, double strength) {
        checkStrength(strength);
        return Math.min((int) (steps * strength), steps);
    }

    /** The index of the first step run: {@code steps - stepsRun(steps, strength)} (diffusers' {@code t_start}). */
    public static int firstStep(int steps, double strength) {
        return steps - stepsRun(steps, strength);
    }

    /**
     * Checks a strength.
     *
     * @throws IllegalArgumentException unless 0 &lt; strength &lt;= 1
     */
    public static void checkStrength(double strength) {
        if (!(strength > 0 && strength <= 1)) {
            throw new IllegalArgumentException("strength must be in (0, 1] (1 = sampling from noise, small values"
                    + " keep the image), found " + strength);
        }
    }

    /**
     * q(x_t | x_0) in place: {@code x = sqrt(ab) x_0 + sqrt(1 - ab) z}, where {@code x} holds the noise z on
     * entry (diffusers' {@code add_noise}).
     *
     * @param x        z on entry, the noised image on return
     * @param clean    x_0, as many values as {@code x}, or one image of {@code x.length / batch} values for all
     * @param alphaBar the level's alpha_bar
     */
    public static void addNoise(float[] x, float[] clean, double alphaBar) {
        if (clean.length == 0 || x.length % clean.length != 0) {
            throw new IllegalArgumentException("the image has " + clean.length + " values, which do not tile "
                    + x.length);
        }
        double a = Math.sqrt(alphaBar);
        double s = Math.sqrt(1.0 - alphaBar);
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) (a * clean[k % clean.length] + s * x[k]);
        }
    }
}
