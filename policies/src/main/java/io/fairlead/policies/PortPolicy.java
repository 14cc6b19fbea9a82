package io.fairlead.policies;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The effective policy of one Service port, after precedence (per-port annotation, Service
 * annotation, native field, default) and cross-checks. Settings are grouped by concern; each group
 * has copy methods ({@code withX}), so that a client's downgrade ({@code ClientCapabilities})
 * rewrites only what it changes, and no two settings of the same type can be swapped by position.
 *
 * @param traffic what is done to the port's requests on their way: rate limits, access log, split
 * @param provenance where each annotation-backed setting came from; a key that is absent came from
 *     its default
 */
public record PortPolicy(
    PortSpec port,
    Protocol protocol,
    Balancing balancing,
    Affinity affinity,
    Resilience resilience,
    Timeouts timeouts,
    Topology topology,
    Optional<GatewayExposure> gateway,
    Traffic traffic,
    Map<AnnotationKey<?>, Provenance> provenance) {

  /** Envoy's tcp_proxy default, and long enough that ordinary quiet streams are not cut. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);

  public PortPolicy {
    provenance = Map.copyOf(provenance);
  }

  /** Where the setting of {@code key} came from ({@link Provenance#DEFAULT} when not set). */
  public Provenance sourceOf(AnnotationKey<?> key) {
    return provenance.getOrDefault(key, Provenance.DEFAULT);
  }

  /**
   * How endpoints are picked.
   *
   * @param algorithm the load-balancing algorithm and its parameters
   * @param hashBalanceFactor bounded-load hashing, in percent of the average load
   * @param slowStart how long a new endpoint ramps up its share
   * @param panicThreshold Envoy's healthy-panic threshold in percent; 0 (Fairlead's default) means
   *     never balance over not-ready endpoints. Empty for clients that have no panic mode.
   * @param slowStartAggression the slow-start curve's aggression (Envoy's default 1, linear)
   * @param slowStartMinWeight the weight, in percent, a new endpoint starts with (Envoy's default
   *     10)
   */
  public record Balancing(
      LoadBalancing algorithm,
      Optional<Integer> hashBalanceFactor,
      Optional<Duration> slowStart,
      Optional<Integer> panicThreshold,
      Optional<Double> slowStartAggression,
      Optional<Integer> slowStartMinWeight) {

    public Balancing(
        LoadBalancing algorithm,
        Optional<Integer> hashBalanceFactor,
        Optional<Duration> slowStart,
        Optional<Integer> panicThreshold) {
      this(
          algorithm,
          hashBalanceFactor,
          slowStart,
          panicThreshold,
          Optional.empty(),
          Optional.empty());
    }

    public static Balancing of(LoadBalancing algorithm) {
      return new Balancing(algorithm, Optional.empty(), Optional.empty(), Optional.empty());
    }

    public Balancing withAlgorithm(LoadBalancing v) {
      return new Balancing(
          v, hashBalanceFactor, slowStart, panicThreshold, slowStartAggression, slowStartMinWeight);
    }

    public Balancing withHashBalanceFactor(Optional<Integer> v) {
      return new Balancing(
          algorithm, v, slowStart, panicThreshold, slowStartAggression, slowStartMinWeight);
    }

    /** The window; without one the curve means nothing and is cleared with it. */
    public Balancing withSlowStart(Optional<Duration> v) {
      return new Balancing(
          algorithm,
          hashBalanceFactor,
          v,
          panicThreshold,
          v.isPresent() ? slowStartAggression : Optional.empty(),
          v.isPresent() ? slowStartMinWeight : Optional.empty());
    }

    public Balancing withSlowStartCurve(Optional<Double> aggression, Optional<Integer> minWeight) {
      return new Balancing(
          algorithm, hashBalanceFactor, slowStart, panicThreshold, aggression, minWeight);
    }

    public Balancing withPanicThreshold(Optional<Integer> v) {
      return new Balancing(
          algorithm, hashBalanceFactor, slowStart, v, slowStartAggression, slowStartMinWeight);
    }
  }

  /**
   * What keeps a client on one endpoint.
   *
   * @param hashKeys the hash keys, in order: the first that yields a value decides
   * @param portAffinity hash on the pod rather than ip:port, so a client lands on the same pod on
   *     every port of the Service (LVS persistent-client port groups)
   * @param sessionPersistence a cookie or header that names the endpoint
   */
  public record Affinity(
      List<HashKey> hashKeys,
      boolean portAffinity,
      Optional<SessionPersistence> sessionPersistence) {

    public static final Affinity NONE = new Affinity(List.of(), false, Optional.empty());

    public Affinity {
      hashKeys = List.copyOf(hashKeys);
    }

    public Affinity withHashKeys(List<HashKey> v) {
      return new Affinity(v, portAffinity, sessionPersistence);
    }

    public Affinity withPortAffinity(boolean v) {
      return new Affinity(hashKeys, v, sessionPersistence);
    }

    public Affinity withSessionPersistence(Optional<SessionPersistence> v) {
      return new Affinity(hashKeys, portAffinity, v);
    }
  }

  /**
   * How failing endpoints and requests are handled.
   *
   * @param connectionPool the proxy's connections to the endpoints
   */
  public record Resilience(
      Optional<HealthCheck> healthCheck,
      Optional<OutlierDetection> outlierDetection,
      Optional<CircuitBreakers> circuitBreakers,
      Optional<RetryPolicy> retries,
      Optional<ConnectionPool> connectionPool) {

    public Resilience(
        Optional<HealthCheck> healthCheck,
        Optional<OutlierDetection> outlierDetection,
        Optional<CircuitBreakers> circuitBreakers,
        Optional<RetryPolicy> retries) {
      this(healthCheck, outlierDetection, circuitBreakers, retries, Optional.empty());
    }

    public static final Resilience NONE =
        new Resilience(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    public Resilience withHealthCheck(Optional<HealthCheck> v) {
      return new Resilience(v, outlierDetection, circuitBreakers, retries, connectionPool);
    }

    public Resilience withOutlierDetection(Optional<OutlierDetection> v) {
      return new Resilience(healthCheck, v, circuitBreakers, retries, connectionPool);
    }

    public Resilience withCircuitBreakers(Optional<CircuitBreakers> v) {
      return new Resilience(healthCheck, outlierDetection, v, retries, connectionPool);
    }

    public Resilience withRetries(Optional<RetryPolicy> v) {
      return new Resilience(healthCheck, outlierDetection, circuitBreakers, v, connectionPool);
    }

    public Resilience withConnectionPool(Optional<ConnectionPool> v) {
      return new Resilience(healthCheck, outlierDetection, circuitBreakers, retries, v);
    }
  }

  /**
   * How long things may take. Built with the copy methods, never by position: the three are the
   * same type.
   *
   * @param request a request's whole duration (HTTP-family ports)
   * @param idle how long a stream (HTTP ports) or connection (TCP ports) may be quiet before the
   *     proxy resets it; zero means never. Empty for clients that have no such timer.
   * @param maxConnectionDuration how long an upstream connection lives before it is drained
   */
  public record Timeouts(
      Optional<Duration> request,
      Optional<Duration> idle,
      Optional<Duration> maxConnectionDuration) {

    public static final Timeouts NONE =
        new Timeouts(Optional.empty(), Optional.empty(), Optional.empty());

    public Timeouts withRequest(Optional<Duration> v) {
      return new Timeouts(v, idle, maxConnectionDuration);
    }

    public Timeouts withIdle(Optional<Duration> v) {
      return new Timeouts(request, v, maxConnectionDuration);
    }

    public Timeouts withMaxConnectionDuration(Optional<Duration> v) {
      return new Timeouts(request, idle, v);
    }
  }

  /**
   * Which endpoints a proxy prefers by where it runs.
   *
   * @param preferClose zone-aware routing ({@code trafficDistribution: PreferClose})
   * @param nodeLocal same-node endpoints only ({@code internalTrafficPolicy: Local})
   * @param failover the zones to fail over to, in order, after the proxy's own zone ({@code
   *     fairlead.io/failover}); zones not listed come last
   */
  public record Topology(boolean preferClose, boolean nodeLocal, Optional<List<String>> failover) {

    public Topology(boolean preferClose, boolean nodeLocal) {
      this(preferClose, nodeLocal, Optional.empty());
    }

    public static final Topology ANY = new Topology(false, false);

    public Topology withPreferClose(boolean v) {
      return new Topology(v, nodeLocal, failover);
    }

    public Topology withNodeLocal(boolean v) {
      return new Topology(preferClose, v, failover);
    }

    public Topology withFailover(Optional<List<String>> v) {
      return new Topology(preferClose, nodeLocal, v);
    }
  }

  /**
   * What is done to the port's requests on their way, beyond picking an endpoint.
   *
   * @param rateLimits local rate limits, when the port has any
   * @param accessLog the port's access log as annotated; empty follows the control plane
   * @param split the canary or weighted split of the port's requests over other Services
   */
  public record Traffic(
      Optional<RateLimits> rateLimits,
      Optional<AccessLog> accessLog,
      Optional<TrafficSplit> split) {

    public static final Traffic NONE =
        new Traffic(Optional.empty(), Optional.empty(), Optional.empty());

    public Traffic withRateLimits(Optional<RateLimits> v) {
      return new Traffic(v, accessLog, split);
    }

    public Traffic withAccessLog(Optional<AccessLog> v) {
      return new Traffic(rateLimits, v, split);
    }

    public Traffic withSplit(Optional<TrafficSplit> v) {
      return new Traffic(rateLimits, accessLog, v);
    }

    /** Whether the port's requests are logged: {@code access-log} unset or {@code on}. */
    public boolean logged() {
      return accessLog.orElse(AccessLog.ON) == AccessLog.ON;
    }
  }

  public PortPolicy withBalancing(Balancing v) {
    return new PortPolicy(
        port, protocol, v, affinity, resilience, timeouts, topology, gateway, traffic, provenance);
  }

  public PortPolicy withAffinity(Affinity v) {
    return new PortPolicy(
        port, protocol, balancing, v, resilience, timeouts, topology, gateway, traffic, provenance);
  }

  public PortPolicy withResilience(Resilience v) {
    return new PortPolicy(
        port, protocol, balancing, affinity, v, timeouts, topology, gateway, traffic, provenance);
  }

  public PortPolicy withTimeouts(Timeouts v) {
    return new PortPolicy(
        port, protocol, balancing, affinity, resilience, v, topology, gateway, traffic, provenance);
  }

  public PortPolicy withTopology(Topology v) {
    return new PortPolicy(
        port, protocol, balancing, affinity, resilience, timeouts, v, gateway, traffic, provenance);
  }

  public PortPolicy withGateway(Optional<GatewayExposure> v) {
    return new PortPolicy(
        port,
        protocol,
        balancing,
        affinity,
        resilience,
        timeouts,
        topology,
        v,
        traffic,
        provenance);
  }

  public PortPolicy withTraffic(Traffic v) {
    return new PortPolicy(
        port,
        protocol,
        balancing,
        affinity,
        resilience,
        timeouts,
        topology,
        gateway,
        v,
        provenance);
  }
}
