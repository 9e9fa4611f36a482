package org.ddpm4j.trainer.checkpoint;

import java.util.Map;

/**
 * Adam's state after {@code step} updates: first and second moment per parameter, keyed by the
 * parameter's canonical name.
 */
public record OptimizerState(long step, Map<String, float[]> firstMoment, Map<String, float[]> secondMoment) {
}
