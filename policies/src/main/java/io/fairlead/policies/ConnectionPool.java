package io.fairlead.policies;

import java.time.Duration;
import java.util.Optional;

/**
 * The proxy's connections to a port's endpoints; an absent value keeps Envoy's default.
 *
 * @param idleTimeout how long an upstream connection with no request in flight is kept (Envoy: 1h;
 *     {@code 0s} keeps it forever)
 * @param maxRequestsPerConnection after this many requests a connection is drained and a new one
 *     opened, which re-spreads long-lived clients over new pods (Envoy: unlimited)
 * @param maxConcurrentStreams HTTP/2 streams per connection before another connection is opened
 *     (Envoy: 2147483647, so one connection per endpoint)
 */
public record ConnectionPool(
    Optional<Duration> idleTimeout,
    Optional<Integer> maxRequestsPerConnection,
    Optional<Integer> maxConcurrentStreams) {

  public boolean isEmpty() {
    return idleTimeout.isEmpty()
        && maxRequestsPerConnection.isEmpty()
        && maxConcurrentStreams.isEmpty();
  }

  public ConnectionPool withoutMaxConcurrentStreams() {
    return new ConnectionPool(idleTimeout, maxRequestsPerConnection, Optional.empty());
  }
}
