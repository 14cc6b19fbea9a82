package io.fairlead.policies;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Active health checking of a port's endpoints.
 *
 * @param host the Host header (HTTP) or :authority (gRPC) of the checks; empty means the Service's
 *     DNS name, which the translator fills in
 * @param method the HTTP check's method; empty means GET
 * @param expectedStatuses the statuses that pass an HTTP check; empty means 200 only
 */
public record HealthCheck(
    Kind kind,
    Optional<String> path,
    Optional<String> host,
    Duration interval,
    Duration timeout,
    int unhealthyThreshold,
    int healthyThreshold,
    Optional<String> method,
    Optional<List<StatusRange>> expectedStatuses) {

  public HealthCheck(
      Kind kind,
      Optional<String> path,
      Optional<String> host,
      Duration interval,
      Duration timeout,
      int unhealthyThreshold,
      int healthyThreshold) {
    this(
        kind,
        path,
        host,
        interval,
        timeout,
        unhealthyThreshold,
        healthyThreshold,
        Optional.empty(),
        Optional.empty());
  }

  /** HTTP methods Envoy's HTTP health checker can send (its validation refuses CONNECT). */
  public static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH");

  /** HTTP statuses from {@code from} to {@code to}, both included. */
  public record StatusRange(int from, int to) {}

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
  public static final int DEFAULT_UNHEALTHY = 3;
  public static final int DEFAULT_HEALTHY = 1;

  public enum Kind {
    HTTP,
    GRPC,
    TCP
  }
}
