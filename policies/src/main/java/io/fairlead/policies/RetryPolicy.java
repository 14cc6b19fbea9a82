package io.fairlead.policies;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Route-level retries. {@code on} holds Envoy retry_on conditions, in the order given.
 *
 * @param backoff the interval between retries; empty keeps the client's default (Envoy and gRPC: 25
 *     ms base, 250 ms max, jittered exponential)
 * @param retriableStatusCodes HTTP statuses that are retried besides the {@code on} conditions
 * @param retryHost which endpoint a retry may go to; empty means {@link RetryHost#OTHER}, the
 *     default
 */
public record RetryPolicy(
    int attempts,
    List<String> on,
    Optional<Duration> perTryTimeout,
    Optional<Backoff> backoff,
    Optional<List<Integer>> retriableStatusCodes,
    Optional<RetryHost> retryHost) {

  public RetryPolicy(int attempts, List<String> on, Optional<Duration> perTryTimeout) {
    this(attempts, on, perTryTimeout, Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** Jittered exponential back-off: the first retry waits up to {@code base}, never above max. */
  public record Backoff(Duration base, Duration max) {}

  /** Where a retry may go. */
  public enum RetryHost {
    /** An endpoint not tried before for this request (Envoy's previous_hosts predicate). */
    OTHER,
    /** Any endpoint, the one that failed included. */
    ANY
  }

  /** Envoy's retry_on condition that the retriable status codes need. */
  public static final String RETRIABLE_STATUS_CODES = "retriable-status-codes";

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

  /** Envoy's default back-off base when the route sets none ({@code retry_state_impl.cc}). */
  public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofMillis(25);

  /** Whether retries avoid the endpoints already tried: the default, and {@code other}. */
  public boolean avoidsTriedHosts() {
    return retryHost.orElse(RetryHost.OTHER) == RetryHost.OTHER;
  }
}
