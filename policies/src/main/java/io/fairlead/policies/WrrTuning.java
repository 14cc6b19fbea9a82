package io.fairlead.policies;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code weighted-round-robin} annotation: how client-side weighted round-robin turns the
 * endpoints' ORCA load reports into weights. An empty period keeps the client's default (Envoy's
 * and gRPC's are the same: 10s, 3m, 1s); an empty penalty is sent as 1.0.
 *
 * @param blackoutPeriod how long an endpoint must report before its weight is used
 * @param weightExpirationPeriod how long a weight stays in use after the endpoint's last report
 * @param weightUpdatePeriod how often the weights are recomputed (at least 100ms)
 * @param errorUtilizationPenalty the multiplier of the error rate (eps / qps) added to utilization
 * @param utilizationMetrics ORCA metrics whose maximum is the utilization when the report carries
 *     no application utilization ({@code named_metrics.KEY}, {@code utilization.KEY}, {@code
 *     cpu_utilization}, {@code mem_utilization}, {@code application_utilization})
 */
public record WrrTuning(
    Optional<Duration> blackoutPeriod,
    Optional<Duration> weightExpirationPeriod,
    Optional<Duration> weightUpdatePeriod,
    Optional<Double> errorUtilizationPenalty,
    List<String> utilizationMetrics) {

  /** The clients' defaults. */
  public static final WrrTuning DEFAULTS =
      new WrrTuning(
          Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of());

  /**
   * The documented default penalty, which Fairlead always sends: Envoy reads an unset penalty as 0.
   */
  public static final double DEFAULT_ERROR_PENALTY = 1.0;

  /** gRPC and Envoy raise a shorter weight update period to this. */
  public static final Duration MIN_UPDATE_PERIOD = Duration.ofMillis(100);

  /** The largest error penalty Fairlead accepts; Envoy and gRPC only require it not negative. */
  public static final int MAX_ERROR_PENALTY = 100;

  /** At most this many utilization metric names. */
  public static final int MAX_METRICS = 16;

  public WrrTuning {
    utilizationMetrics = List.copyOf(utilizationMetrics);
  }
}
