package io.fairlead.policies;

import java.time.Duration;
import java.util.Optional;

/**
 * Active health checking of a port's endpoints.
 *
 * @param host the Host header (HTTP) or :authority (gRPC) of the checks; empty means the Service's
 *     DNS name, which the translator fills in
 */
public record HealthCheck(
    Kind kind,
    Optional<String> path,
    Optional<String> host,
    Duration interval,
    Duration timeout,
    int unhealthyThreshold,
    int healthyThreshold) {

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
