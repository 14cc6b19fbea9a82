package io.fairlead.cli;

import io.fairlead.policies.AnnotationRegistry;
import io.fairlead.policies.CircuitBreakers;
import io.fairlead.policies.ConnectionPool;
import io.fairlead.policies.Durations;
import io.fairlead.policies.GatewayExposure;
import io.fairlead.policies.HashKey;
import io.fairlead.policies.HealthCheck;
import io.fairlead.policies.LoadBalancing;
import io.fairlead.policies.OutlierDetection;
import io.fairlead.policies.PortPolicy;
import io.fairlead.policies.Provenance;
import io.fairlead.policies.RateLimits;
import io.fairlead.policies.RetryPolicy;
import io.fairlead.policies.SessionPersistence;
import io.fairlead.policies.TrafficSplit;
import io.fairlead.policies.WrrTuning;
import io.fairlead.translators.model.SplitTargets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Effective policy settings in words a person reads. */
final class PolicyText {

  /** One effective setting: its name, its value in words and where it came from. */
  record Line(String setting, String value, Provenance from) {}

  private PolicyText() {}

  static List<Line> lines(PortPolicy p) {
    return lines(p, Optional.empty());
  }

  /** The port's settings, with its split as resolved against the other Services. */
  static List<Line> lines(PortPolicy p, Optional<SplitTargets> resolved) {
    List<Line> out = new ArrayList<>();
    out.add(
        new Line(
            "protocol",
            p.protocol().name().toLowerCase(Locale.ROOT),
            p.sourceOf(AnnotationRegistry.PROTOCOL)));
    out.add(
        new Line(
            "lb-policy", lb(p.balancing().algorithm()), p.sourceOf(AnnotationRegistry.LB_POLICY)));
    if (p.balancing().algorithm() instanceof LoadBalancing.WeightedRoundRobin w) {
      out.add(
          new Line(
              "weighted-round-robin",
              wrr(w.tuning()),
              p.sourceOf(AnnotationRegistry.WEIGHTED_ROUND_ROBIN)));
    }
    out.add(
        new Line(
            "hash-on",
            p.affinity().hashKeys().isEmpty() ? "none" : hashKeys(p.affinity().hashKeys()),
            p.sourceOf(AnnotationRegistry.HASH_ON)));
    if (p.balancing().algorithm().isHashing()) {
      out.add(
          new Line(
              "port-affinity",
              p.affinity().portAffinity()
                  ? "all-ports (hash on the pod, same pod on every port)"
                  : "none",
              p.sourceOf(AnnotationRegistry.PORT_AFFINITY)));
      out.add(
          new Line(
              "hash-balance-factor",
              p.balancing().hashBalanceFactor().map(String::valueOf).orElse("unset"),
              p.sourceOf(AnnotationRegistry.HASH_BALANCE_FACTOR)));
    }
    out.add(
        new Line(
            "session-persistence",
            p.affinity().sessionPersistence().map(PolicyText::session).orElse("none"),
            p.sourceOf(AnnotationRegistry.SESSION_PERSISTENCE)));
    out.add(
        new Line(
            "slow-start",
            p.balancing()
                .slowStart()
                .map(
                    w ->
                        Durations.format(w)
                            + " (aggression "
                            + p.balancing().slowStartAggression().orElse(1.0)
                            + ", starting at "
                            + p.balancing().slowStartMinWeight().orElse(10)
                            + "% weight)")
                .orElse("off"),
            p.sourceOf(AnnotationRegistry.SLOW_START)));
    out.add(
        new Line(
            "max-connection-duration",
            duration(p.timeouts().maxConnectionDuration()),
            p.sourceOf(AnnotationRegistry.MAX_CONNECTION_DURATION)));
    out.add(
        new Line(
            "health-check",
            p.resilience().healthCheck().map(PolicyText::health).orElse("off"),
            p.sourceOf(AnnotationRegistry.HEALTH_CHECK)));
    out.add(
        new Line(
            "outlier-detection",
            p.resilience().outlierDetection().map(PolicyText::outlier).orElse("off"),
            p.sourceOf(AnnotationRegistry.OUTLIER_DETECTION)));
    out.add(
        new Line(
            "circuit-breakers",
            p.resilience().circuitBreakers().map(PolicyText::breakers).orElse("Envoy defaults"),
            p.sourceOf(AnnotationRegistry.CIRCUIT_BREAKERS)));
    if (p.protocol().isHttp()) {
      out.add(
          new Line(
              "connection-pool",
              p.resilience().connectionPool().map(PolicyText::pool).orElse("Envoy defaults"),
              p.sourceOf(AnnotationRegistry.CONNECTION_POOL)));
      out.add(
          new Line(
              "retries",
              p.resilience().retries().map(PolicyText::retries).orElse("off"),
              p.sourceOf(AnnotationRegistry.RETRIES)));
      out.add(
          new Line(
              "timeout",
              p.timeouts()
                  .request()
                  .map(Durations::format)
                  .orElse(
                      p.protocol().isHttp2()
                          ? "none (streams are long-lived)"
                          : "Envoy default (15s)"),
              p.sourceOf(AnnotationRegistry.TIMEOUT)));
      out.add(
          new Line(
              "gateway",
              p.gateway().map(PolicyText::gateway).orElse("not exposed"),
              p.sourceOf(AnnotationRegistry.GATEWAY_HOST)));
      out.add(
          new Line(
              "rate-limit",
              p.traffic()
                  .rateLimits()
                  .flatMap(RateLimits::perProxy)
                  .map(r -> r + " on each proxy (429 above it)")
                  .orElse("none"),
              p.sourceOf(AnnotationRegistry.RATE_LIMIT)));
      out.add(
          new Line(
              "rate-limit-per-client",
              p.traffic()
                  .rateLimits()
                  .flatMap(RateLimits::perClient)
                  .map(r -> r + " per client address on each gateway replica")
                  .orElse("none"),
              p.sourceOf(AnnotationRegistry.RATE_LIMIT_PER_CLIENT)));
    }
    out.add(
        new Line(
            "access-log",
            p.traffic().logged()
                ? "on (in the control plane's format; serve --access-log)"
                : "off (sidecars write none; the gateway's log skips this port's routes)",
            p.sourceOf(AnnotationRegistry.ACCESS_LOG)));
    out.add(
        new Line(
            "idle-timeout",
            p.timeouts()
                .idle()
                .map(d -> d.isZero() ? "never" : Durations.format(d))
                .orElse("not applicable"),
            p.sourceOf(AnnotationRegistry.IDLE_TIMEOUT)));
    out.add(
        new Line(
            "panic-threshold",
            p.balancing()
                .panicThreshold()
                .map(t -> t == 0 ? "0 (not-ready endpoints never get traffic)" : t + "%")
                .orElse("not applicable"),
            p.sourceOf(AnnotationRegistry.PANIC_THRESHOLD)));
    out.add(
        new Line(
            "zone-aware",
            p.topology().preferClose()
                ? "yes: same-zone endpoints first, all local while one is ready"
                : "no",
            p.topology().preferClose() ? Provenance.NATIVE_FIELD : Provenance.DEFAULT));
    out.add(
        new Line(
            "failover",
            p.topology()
                .failover()
                .map(
                    zs ->
                        "the proxy's zone, then "
                            + String.join(", then ", zs)
                            + ", then any other zone; each while it has a ready endpoint")
                .orElse("none"),
            p.sourceOf(AnnotationRegistry.FAILOVER)));
    out.add(
        new Line(
            "node-local",
            p.topology().nodeLocal() ? "yes: same-node endpoints only" : "no",
            p.topology().nodeLocal() ? Provenance.NATIVE_FIELD : Provenance.DEFAULT));
    if (p.protocol().isHttp()) {
      out.add(
          new Line(
              "split",
              p.traffic().split().isEmpty() ? "none" : split(p, resolved),
              p.sourceOf(AnnotationRegistry.SPLIT)));
      resolved
          .filter(r -> !r.matches().isEmpty())
          .ifPresent(
              r ->
                  out.add(
                      new Line(
                          "split-match",
                          r.matches().stream()
                              .map(m -> match(m.rule()) + " go to " + m.service().name())
                              .collect(Collectors.joining("; then ")),
                          p.sourceOf(AnnotationRegistry.SPLIT_MATCH))));
    }
    return out;
  }

  private static String split(PortPolicy p, Optional<SplitTargets> resolved) {
    if (resolved.isEmpty()) {
      return "not applied: no backend can take traffic (see the diagnostics); the Service's own endpoints serve";
    }
    int total = resolved.get().backends().stream().mapToInt(SplitTargets.Backend::weight).sum();
    String shares =
        resolved.get().backends().stream()
            .map(
                b ->
                    b.service().name()
                        + " "
                        + String.format(Locale.ROOT, "%.1f%%", 100.0 * b.weight() / total)
                        + " (port "
                        + b.port().policy().port().label()
                        + ")")
            .collect(Collectors.joining(", "));
    return shares
        + (p.affinity().hashKeys().isEmpty()
            ? "; each request picks at random by weight"
            : "; on Envoy one hash key always picks the same backend, gRPC clients pick per RPC");
  }

  private static String match(TrafficSplit.Match m) {
    return "requests with header "
        + m.header()
        + m.value().map(v -> " = " + v).orElse(" (any value)");
  }

  static String lb(LoadBalancing lb) {
    if (lb instanceof LoadBalancing.RingHash r) {
      return "ring-hash (ring " + r.minRingSize() + "-" + r.maxRingSize() + ")";
    }
    if (lb instanceof LoadBalancing.Maglev m) {
      return "maglev (table " + m.tableSize() + ")";
    }
    if (lb instanceof LoadBalancing.LeastRequest l) {
      return "least-request (" + l.choices() + " choices)";
    }
    return lb.keyword();
  }

  /** The weight rule and its periods, with the clients' defaults where none is written. */
  static String wrr(WrrTuning t) {
    return "weight = qps / (utilization + eps/qps x "
        + t.errorUtilizationPenalty().orElse(WrrTuning.DEFAULT_ERROR_PENALTY)
        + ") from each endpoint's ORCA reports"
        + (t.utilizationMetrics().isEmpty()
            ? ""
            : ", utilization from " + String.join(" | ", t.utilizationMetrics()))
        + "; used after "
        + t.blackoutPeriod().map(Durations::format).orElse("10s")
        + " of reports, until "
        + t.weightExpirationPeriod().map(Durations::format).orElse("3m")
        + " without one; recomputed every "
        + t.weightUpdatePeriod().map(Durations::format).orElse("1s");
  }

  static String hashKeys(List<HashKey> keys) {
    return keys.stream().map(PolicyText::hashKey).collect(Collectors.joining(", then "));
  }

  private static String hashKey(HashKey k) {
    if (k instanceof HashKey.Header h) {
      return "header " + h.name();
    }
    if (k instanceof HashKey.Cookie c) {
      return "cookie "
          + c.name()
          + " (generated, ttl "
          + Durations.format(c.ttl())
          + c.path().map(p -> ", path " + p).orElse("")
          + ")";
    }
    if (k instanceof HashKey.SourceIp s) {
      return s.isMasked()
          ? "client subnet /" + s.prefixV4() + " (IPv4), /" + s.prefixV6() + " (IPv6)"
          : "client address";
    }
    if (k instanceof HashKey.Query q) {
      return "query parameter " + q.name();
    }
    return "gRPC channel id";
  }

  private static String session(SessionPersistence s) {
    if (s instanceof SessionPersistence.Cookie c) {
      return "cookie "
          + c.name()
          + " names the endpoint (ttl "
          + Durations.format(c.ttl())
          + ", path "
          + c.path()
          + ")";
    }
    return "header " + s.name() + " names the endpoint";
  }

  private static String duration(Optional<Duration> d) {
    return d.map(Durations::format).orElse("off");
  }

  private static String health(HealthCheck h) {
    return h.kind().name().toLowerCase(Locale.ROOT)
        + h.method().map(m -> " " + m).orElse(h.kind() == HealthCheck.Kind.HTTP ? " GET" : "")
        + h.path().map(p -> " " + p).orElse("")
        + (h.kind() == HealthCheck.Kind.HTTP
            ? " expecting "
                + h.expectedStatuses()
                    .map(
                        rs ->
                            rs.stream()
                                .map(
                                    r ->
                                        r.from() == r.to()
                                            ? "" + r.from()
                                            : r.from() + "-" + r.to())
                                .collect(Collectors.joining("|")))
                    .orElse("200")
            : "")
        + (h.kind() == HealthCheck.Kind.TCP
            ? ""
            : ", host " + h.host().orElse("the Service's DNS name"))
        + " every "
        + Durations.format(h.interval())
        + ", timeout "
        + Durations.format(h.timeout())
        + ", unhealthy after "
        + h.unhealthyThreshold()
        + ", healthy after "
        + h.healthyThreshold();
  }

  private static String outlier(OutlierDetection o) {
    List<String> modes = new ArrayList<>();
    modes.add(o.consecutive5xx() + " consecutive 5xx");
    o.gatewayFailures().ifPresent(n -> modes.add(n + " consecutive gateway errors"));
    o.localOriginFailures()
        .ifPresent(n -> modes.add(n + " consecutive local failures (connect, reset, timeout)"));
    modes.add(
        o.successRateOn()
            ? "a success rate far below the others' ("
                + o.successRateEnforcing().orElse(100)
                + "% enforced)"
            : "no success-rate check");
    o.failurePercentageThreshold()
        .ifPresent(
            t ->
                modes.add(
                    "over "
                        + t
                        + "% failed requests ("
                        + o.failurePercentageEnforcing().orElse(100)
                        + "% enforced)"));
    String statistical =
        o.minHosts().isPresent() || o.requestVolume().isPresent()
            ? " (statistics from "
                + o.minHosts().map(String::valueOf).orElse("5")
                + " endpoints with "
                + o.requestVolume().map(String::valueOf).orElse("the default number of")
                + " requests each)"
            : "";
    return "eject after "
        + String.join(", or ", modes)
        + statistical
        + ", checked every "
        + Durations.format(o.interval())
        + ", for "
        + Durations.format(o.baseEjectionTime())
        + ", at most "
        + o.maxEjectionPercent()
        + "%";
  }

  private static String breakers(CircuitBreakers b) {
    List<String> parts = new ArrayList<>();
    b.maxConnections().ifPresent(v -> parts.add("max-connections " + v));
    b.maxPendingRequests().ifPresent(v -> parts.add("max-pending-requests " + v));
    b.maxRequests().ifPresent(v -> parts.add("max-requests " + v));
    b.maxRetries().ifPresent(v -> parts.add("max-retries " + v));
    return parts.isEmpty() ? "Envoy defaults" : String.join(", ", parts);
  }

  private static String pool(ConnectionPool c) {
    List<String> parts = new ArrayList<>();
    c.idleTimeout()
        .ifPresent(
            t ->
                parts.add(
                    "idle connections closed after "
                        + (t.isZero() ? "never" : Durations.format(t))));
    c.maxRequestsPerConnection()
        .ifPresent(n -> parts.add("a new connection every " + n + " requests"));
    c.maxConcurrentStreams()
        .ifPresent(n -> parts.add("at most " + n + " concurrent streams per connection"));
    return String.join(", ", parts);
  }

  private static String retries(RetryPolicy r) {
    return r.attempts()
        + " retries on "
        + String.join("|", r.on())
        + r.retriableStatusCodes()
            .map(
                c ->
                    " and HTTP " + c.stream().map(String::valueOf).collect(Collectors.joining("|")))
            .orElse("")
        + r.perTryTimeout().map(t -> ", " + Durations.format(t) + " per try").orElse("")
        + r.backoff()
            .map(
                b ->
                    ", back-off " + Durations.format(b.base()) + " to " + Durations.format(b.max()))
            .orElse("")
        + (r.avoidsTriedHosts() ? ", each to an endpoint not tried yet" : ", to any endpoint");
  }

  private static String gateway(GatewayExposure g) {
    return "group "
        + g.group()
        + ", hosts "
        + String.join(" ", g.hosts())
        + ", path "
        + g.pathPrefix();
  }
}
