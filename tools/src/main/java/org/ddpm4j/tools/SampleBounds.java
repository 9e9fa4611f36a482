package org.ddpm4j.tools;

import org.ddpm4j.runtime.pipeline.GenerationRequest;

/**
 * The bounds of {@code ddpm sample}'s numbers, checked before the model is opened: seeds that stay below
 * {@link Long#MAX_VALUE}, a grid at least one column wide, a GIF frame at least every step, and a guidance
 * scale from {@value GenerationRequest#MIN_GUIDANCE} to {@value GenerationRequest#MAX_GUIDANCE}.
 */
final class SampleBounds {

    private SampleBounds() {
    }

    /**
     * @param columns  {@code --columns}, or null when not given
     * @param gifEvery {@code --gif-every}, or null when not given
     * @param guidance {@code --guidance}, or null when not given
     * @throws IllegalArgumentException naming the option, what it takes and what was found
     */
    static void check(long firstSeed, int count, Integer columns, Integer gifEvery, Double guidance) {
        if (count >= 1) {
            try {
                GenerationRequest.checkSeeds(firstSeed, count);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--seed " + firstSeed + " with -n " + count + ": image k uses seed"
                        + " --seed + k, and the last, " + firstSeed + " + " + (count - 1) + ", passes the largest seed "
                        + Long.MAX_VALUE + "; the first seed can be at most " + (Long.MAX_VALUE - (count - 1)));
            }
        }
        if (columns != null && columns < 1) {
            throw new IllegalArgumentException("--columns must be at least 1, found " + columns
                    + " (leave it out for a square grid)");
        }
        if (gifEvery != null && gifEvery < 1) {
            throw new IllegalArgumentException("--gif-every must be at least 1 step, found " + gifEvery
                    + " (leave it out for about 25 frames)");
        }
        if (guidance != null) {
            try {
                GenerationRequest.checkGuidance(guidance);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--guidance: " + e.getMessage());
            }
        }
    }
}
