package io.fairlead.policies;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The effective policy of one Service port, after precedence (per-port annotation, Service
 * annotation, native field, default) and cross-checks.
 *
 * @param portAffinity hash on the pod rather than ip:port so a client lands on the same pod on
 *     every port of the Service (LVS persistent-client port groups)
 * @param preferClose zone-aware routing ({@code trafficDistribution: PreferClose})
 * @param nodeLocal same-node endpoints only ({@code internalTrafficPolicy: Local})
 * @param panicThreshold Envoy's healthy-panic threshold in percent; 0 (Fairlead's default) means
 *     never balance over not-ready endpoints. Empty for clients that have no panic mode.
 * @param idleTimeout how long a stream (HTTP ports) or connection (TCP ports) may be quiet before
 *     the proxy resets it; zero means never. Empty for clients that have no such timer.
 * @param provenance where each setting came from, keyed by annotation key without the prefix
 */
public record PortPolicy(
    PortSpec port,
    Protocol protocol,
    LoadBalancing loadBalancing,
    List<HashKey> hashKeys,
    boolean portAffinity,
    Optional<Integer> hashBalanceFactor,
    Optional<SessionPersistence> sessionPersistence,
    Optional<Duration> slowStart,
    Optional<Duration> maxConnectionDuration,
    Optional<HealthCheck> healthCheck,
    Optional<OutlierDetection> outlierDetection,
    Optional<CircuitBreakers> circuitBreakers,
    Optional<RetryPolicy> retries,
    Optional<Duration> timeout,
    Optional<GatewayExposure> gateway,
    boolean preferClose,
    boolean nodeLocal,
    Optional<Integer> panicThreshold,
    Optional<Duration> idleTimeout,
    Map<String, Provenance> provenance) {

  /** Envoy's tcp_proxy default, and long enough that ordinary quiet streams are not cut. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);

  public Provenance sourceOf(String key) {
    return provenance.getOrDefault(key, Provenance.DEFAULT);
  }
}
