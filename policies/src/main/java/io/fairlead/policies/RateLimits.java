package io.fairlead.policies;

import java.util.Optional;

/**
 * Local rate limits of one port, enforced by each proxy on its own.
 *
 * @param perProxy one bucket for the port's requests on each proxy ({@code fairlead.io/rate-limit})
 * @param perClient one bucket per client address on each gateway ({@code
 *     fairlead.io/rate-limit-per-client})
 */
public record RateLimits(Optional<RateLimit> perProxy, Optional<RateLimit> perClient) {

  public static final RateLimits NONE = new RateLimits(Optional.empty(), Optional.empty());

  public RateLimits withPerProxy(Optional<RateLimit> v) {
    return new RateLimits(v, perClient);
  }

  public RateLimits withPerClient(Optional<RateLimit> v) {
    return new RateLimits(perProxy, v);
  }

  public boolean isEmpty() {
    return perProxy.isEmpty() && perClient.isEmpty();
  }
}
