package io.fairlead.policies;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Route-level retries. {@code on} holds Envoy retry_on conditions, in the order given. */
public record RetryPolicy(int attempts, List<String> on, Optional<Duration> perTryTimeout) {

  /** Conditions that mean an HTTP status or a connection event. */
  public static final Set<String> HTTP_CONDITIONS =
      Set.of(
          "5xx",
          "gateway-error",
          "reset",
          "reset-before-request",
          "connect-failure",
          "retriable-4xx",
          "refused-stream",
          "http3-post-connect-failure");

  /** gRPC status conditions, which both Envoy and proxyless gRPC clients understand. */
  public static final Set<String> GRPC_CONDITIONS =
      Set.of("cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable");

  public static final List<String> DEFAULT_ON = List.of("5xx", "reset", "connect-failure");
}
