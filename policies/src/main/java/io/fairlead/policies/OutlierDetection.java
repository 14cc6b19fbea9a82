package io.fairlead.policies;

import java.time.Duration;

/** Passive ejection of endpoints that keep failing. */
public record OutlierDetection(
    int consecutive5xx, Duration interval, Duration baseEjectionTime, int maxEjectionPercent) {

  public static final OutlierDetection DEFAULTS =
      new OutlierDetection(5, Duration.ofSeconds(10), Duration.ofSeconds(30), 10);
}
