package io.fairlead.policies;

import java.time.Duration;

/**
 * Passive ejection of endpoints that keep failing. The default ejection cap is 50%: Envoy ejects a
 * host only while the ejected share stays within the cap, so its own 10% would never eject one of a
 * Service's first nine pods (docs/envoy-semantics.md#outlier-ejection).
 */
public record OutlierDetection(
    int consecutive5xx, Duration interval, Duration baseEjectionTime, int maxEjectionPercent) {

  public static final OutlierDetection DEFAULTS =
      new OutlierDetection(5, Duration.ofSeconds(10), Duration.ofSeconds(30), 50);
}
