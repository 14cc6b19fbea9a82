package io.fairlead.policies;

import java.time.Duration;
import java.util.Optional;

/**
 * The {@code slow-start} annotation as written: a window, and optionally how the weight grows.
 *
 * @param aggression the curve: a new endpoint's weight is {@code (t / window)^(1/aggression)}; 1
 *     (Envoy's default) is linear, larger values ramp up faster at first
 * @param minWeightPercent the weight a new endpoint starts with, in percent (Envoy's default: 10)
 */
public record SlowStart(
    Duration window, Optional<Double> aggression, Optional<Integer> minWeightPercent) {}
