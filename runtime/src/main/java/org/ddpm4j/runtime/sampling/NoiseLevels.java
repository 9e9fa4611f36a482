package org.ddpm4j.runtime.sampling;

import java.util.Arrays;

/**
 * The noise levels a sampler visits: for each model call, the integer timestep the model is given and
 * the alpha_bar the solver's coefficients use. For the spacings that pick training timesteps
 * (linspace, leading, trailing) alpha_bar is the schedule's at that timestep. For the sigma spacings
 * (Karras, uniform lambda) alpha_bar comes from the continuous sigma = sqrt((1 - ab) / ab) the spacing
 * chose, and the model gets that sigma's timestep rounded to an integer, as diffusers does.
 * After the last level comes the clean image (alpha_bar = 1).
 *
 * @param timesteps the model's timestep per call, from high to low
 * @param alphaBars alpha_bar per call, in (0, 1), increasing
 */
public record NoiseLevels(int[] timesteps, double[] alphaBars) {

    /** Checks that both arrays have one entry per call and copies them. */
    public NoiseLevels {
        if (timesteps == null || alphaBars == null || timesteps.length == 0 || timesteps.length != alphaBars.length) {
            throw new IllegalArgumentException("noise levels need as many alpha_bars as timesteps (at least one), found "
                    + (timesteps == null ? 0 : timesteps.length) + " timesteps and "
                    + (alphaBars == null ? 0 : alphaBars.length) + " alpha_bars");
        }
        for (double ab : alphaBars) {
            if (!(ab > 0 && ab < 1)) {
                throw new IllegalArgumentException("alpha_bar must be in (0, 1), found " + ab);
            }
        }
        timesteps = timesteps.clone();
        alphaBars = alphaBars.clone();
    }

    /** The levels at the given training timesteps, with the schedule's alpha_bar. */
    public static NoiseLevels atTimesteps(org.ddpm4j.runtime.schedule.NoiseSchedule schedule, int[] timesteps) {
        double[] ab = new double[timesteps.length];
        for (int i = 0; i < ab.length; i++) {
            ab[i] = schedule.alphaBar(timesteps[i]);
        }
        return new NoiseLevels(timesteps, ab);
    }

    /** Model calls. */
    public int size() {
        return timesteps.length;
    }

    /** A copy of the timesteps. */
    @Override
    public int[] timesteps() {
        return timesteps.clone();
    }

    /** A copy of the alpha_bars. */
    @Override
    public double[] alphaBars() {
        return alphaBars.clone();
    }

    /** The VE sigma sqrt((1 - ab) / ab) of level i. */
    public double sigma(int i) {
        return Math.sqrt((1.0 - alphaBars[i]) / alphaBars[i]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NoiseLevels l && Arrays.equals(l.timesteps, timesteps) && Arrays.equals(l.alphaBars, alphaBars);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(timesteps) * 31 + Arrays.hashCode(alphaBars);
    }

    @Override
    public String toString() {
        return "NoiseLevels" + Arrays.toString(timesteps);
    }
}
