package io.fairlead.policies;

import java.util.Optional;

/** Upper bounds per cluster; an absent value keeps Envoy's default. */
public record CircuitBreakers(
    Optional<Integer> maxConnections,
    Optional<Integer> maxPendingRequests,
    Optional<Integer> maxRequests,
    Optional<Integer> maxRetries) {}
