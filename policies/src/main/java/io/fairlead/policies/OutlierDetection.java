package io.fairlead.policies;

import java.time.Duration;
import java.util.Optional;

/**
 * Passive ejection of endpoints that keep failing. The default ejection cap is 50%: Envoy ejects a
 * host only while the ejected share stays within the cap, so its own 10% would never eject one of a
 * Service's first nine pods (docs/envoy-semantics.md#outlier-ejection).
 *
 * @param gatewayFailures consecutive gateway errors (502, 503, 504 and local connect failures) that
 *     eject, enforced at 100% (Envoy's own default enforcement is 0)
 * @param localOriginFailures consecutive locally originated failures (connect failures, resets,
 *     timeouts) that eject, counted apart from the HTTP statuses
 * @param successRateEnforcing how often a success-rate outlier is ejected, in percent; empty keeps
 *     Envoy's and gRPC's default of 100
 * @param failurePercentageThreshold the failed share of requests above which an endpoint is
 *     ejected; empty means that mode is off
 * @param failurePercentageEnforcing how often such an endpoint is ejected, in percent
 * @param minHosts how many endpoints must have enough requests before either statistical mode
 *     ejects (Envoy's and gRPC's default: 5)
 * @param requestVolume how many requests in an interval an endpoint needs to be judged by either
 *     statistical mode (defaults: 100 for success rate, 50 for failure percentage)
 */
public record OutlierDetection(
    int consecutive5xx,
    Duration interval,
    Duration baseEjectionTime,
    int maxEjectionPercent,
    Optional<Integer> gatewayFailures,
    Optional<Integer> localOriginFailures,
    Optional<Integer> successRateEnforcing,
    Optional<Integer> failurePercentageThreshold,
    Optional<Integer> failurePercentageEnforcing,
    Optional<Integer> minHosts,
    Optional<Integer> requestVolume) {

  public OutlierDetection(
      int consecutive5xx, Duration interval, Duration baseEjectionTime, int maxEjectionPercent) {
    this(
        consecutive5xx,
        interval,
        baseEjectionTime,
        maxEjectionPercent,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  public static final OutlierDetection DEFAULTS =
      new OutlierDetection(5, Duration.ofSeconds(10), Duration.ofSeconds(30), 50);

  /**
   * Whether a statistical mode (the only ones gRPC implements, gRFC A50) was asked for and is on:
   * {@code success-rate=0} alone turns something off and asks for nothing.
   */
  public boolean hasStatisticalMode() {
    return successRateEnforcing.filter(v -> v > 0).isPresent()
        || failurePercentageThreshold.isPresent();
  }

  /** Envoy enforces success-rate ejection at 100% unless told otherwise. */
  public boolean successRateOn() {
    return successRateEnforcing.orElse(100) > 0;
  }
}
