package io.fairlead.translators.xds;

import io.fairlead.policies.AnnotationKey;
import io.fairlead.policies.AnnotationRegistry;
import io.fairlead.policies.CircuitBreakers;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.HashKey;
import io.fairlead.policies.LoadBalancing;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.OutlierDetection;
import io.fairlead.policies.PortPolicy;
import io.fairlead.policies.Provenance;
import io.fairlead.policies.RateLimits;
import io.fairlead.policies.Reason;
import io.fairlead.policies.RetryPolicy;
import io.fairlead.policies.Subject;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.model.EndpointEntry;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What each xDS client kind can apply, and the downgrades that keep a config acceptable to it.
 * Envoy applies everything. Every downgrade is a warning diagnostic; the builders only follow the
 * adapted policy, so a client never receives a config it would reject.
 */
public final class ClientCapabilities {

  /** The policy a client gets, and what was changed for it. */
  public record Adapted(PortPolicy policy, List<Diagnostic> downgrades) {}

  /** A port's endpoints as a client gets them, and what was changed for it. */
  public record Weighted(List<EndpointEntry> endpoints, List<Diagnostic> downgrades) {}

  private ClientCapabilities() {}

  /**
   * Pod weights ({@code fairlead.io/weight}) as a client applies them. Envoy weighs endpoints in
   * every policy but random (a model warning, see {@code weights-random}). gRPC weighs them only in
   * ring-hash (grpc-java {@code RingHashLoadBalancer}, grpc-node {@code load-balancer-ring-hash});
   * its round-robin and least-request ignore them, so for those the weights are not sent and a
   * warning says so (docs/envoy-semantics.md#weights-grpc).
   *
   * @param adapted the port's policy after {@link #adapt}
   */
  public static Weighted endpointWeights(
      PortPolicy adapted, List<EndpointEntry> endpoints, ClientKind client, ObjectRef object) {
    if (!client.isGrpc()
        || adapted.balancing().algorithm().isHashing()
        || endpoints.stream().allMatch(e -> e.weight().isEmpty())) {
      return new Weighted(endpoints, List.of());
    }
    Downgrades d = new Downgrades(object, client, adapted.port().label());
    d.warn(
        AnnotationRegistry.POD_WEIGHT,
        "gRPC honours endpoint weights with ring-hash only; its "
            + adapted.balancing().algorithm().keyword()
            + " ignores them, so the Pods' weights are not sent");
    return new Weighted(
        endpoints.stream().map(e -> e.withWeight(Optional.empty())).toList(), d.diagnostics());
  }

  /**
   * How a client kind must be told a policy, once {@link #adapt} has decided what it gets. The
   * builders branch on this, never on the client kind itself: what a client receives is decided
   * here, how it is written there.
   *
   * @param typedLbPolicies load balancing as typed extensions ({@code load_balancing_policy});
   *     otherwise the legacy {@code lb_policy} enum, which every gRPC version reads (grpc-node
   *     fails on a typed RingHash that sets ring sizes)
   * @param retryHostPredicates Envoy's retry host predicates (gRPC clients ignore them)
   * @param timeoutAsMaxStreamDuration a request timeout as the route's {@code max_stream_duration}
   *     (what gRPC reads, gRFC A31) rather than Envoy's route {@code timeout}, and no explicit "no
   *     timeout" for HTTP/2 (gRPC has no 15 s default to undo)
   * @param httpFilters the client runs Envoy's HTTP filters, so per-route filter config (stateful
   *     sessions, the subnet header's metadata) and header-based hashing of the subnet apply
   * @param upstreamHttp2Options HTTP/2 to the endpoints must be configured on the cluster (gRPC
   *     clients always speak HTTP/2)
   * @param readyLocalitiesOnly a locality without a ready endpoint is left out: gRPC would give it
   *     its weight's share and fail those picks
   * @param overprovisioning the client honours {@code overprovisioning_factor}, which keeps zone
   *     spill-over as Fairlead documents
   * @param consecutiveEjection the client reads Envoy's consecutive-error outlier fields and the
   *     success-rate request volume; gRPC (gRFC A50) reads only the statistical modes, and
   *     grpc-java takes the success-rate request volume from the minimum-hosts field
   * @param weightedClusterHashing the route's hash policy also picks the weighted cluster ({@code
   *     WeightedCluster.use_hash_policy}, Envoy 1.36+); gRPC picks a weighted cluster at random per
   *     RPC whatever it is told
   * @param wrrLocality client-side weighted round-robin is sent as a typed {@code
   *     load_balancing_policy}, even where other policies go as the legacy enum: {@code
   *     wrr_locality} around {@code client_side_weighted_round_robin}, with {@code round_robin} as
   *     the fallback (gRFC A52); Envoy gets the policy itself
   */
  public record Dialect(
      boolean typedLbPolicies,
      boolean retryHostPredicates,
      boolean timeoutAsMaxStreamDuration,
      boolean httpFilters,
      boolean upstreamHttp2Options,
      boolean readyLocalitiesOnly,
      boolean overprovisioning,
      boolean consecutiveEjection,
      boolean weightedClusterHashing,
      boolean wrrLocality) {

    static final Dialect ENVOY =
        new Dialect(true, true, false, true, true, false, true, true, true, false);
    static final Dialect GRPC =
        new Dialect(false, false, true, false, false, true, false, false, false, true);
  }

  /** The dialect {@code client} is spoken to in. */
  public static Dialect dialect(ClientKind client) {
    return client.isGrpc() ? Dialect.GRPC : Dialect.ENVOY;
  }

  public static boolean supportsLeastRequest(ClientKind client) {
    return client == ClientKind.ENVOY || client == ClientKind.GRPC_JAVA;
  }

  /**
   * grpc-js-xds 1.14 registers client-side WRR only behind {@code GRPC_EXPERIMENTAL_XDS_WRR_LB},
   * and {@code wrr_locality} under a type URL a packed config never has.
   */
  public static boolean supportsWeightedRoundRobin(ClientKind client) {
    return client == ClientKind.ENVOY || client == ClientKind.GRPC_JAVA;
  }

  public static Adapted adapt(PortPolicy p, ClientKind client, ObjectRef object) {
    if (!client.isGrpc()) {
      return new Adapted(p, List.of());
    }
    Downgrades d = new Downgrades(object, client, p.port().label());
    PortPolicy.Balancing balancing = p.balancing();
    LoadBalancing lb = lb(balancing.algorithm(), client, d);
    PortPolicy.Affinity affinity = p.affinity();
    PortPolicy.Resilience resilience = p.resilience();
    CircuitBreakers breakers =
        resilience
            .circuitBreakers()
            .map(
                b -> {
                  if (b.maxConnections().isPresent()
                      || b.maxPendingRequests().isPresent()
                      || b.maxRetries().isPresent()) {
                    d.warn(
                        AnnotationRegistry.CIRCUIT_BREAKERS,
                        "gRPC applies only max-requests; the other limits are not sent");
                  }
                  return new CircuitBreakers(
                      Optional.empty(), Optional.empty(), b.maxRequests(), Optional.empty());
                })
            .filter(b -> b.maxRequests().isPresent())
            .orElse(null);
    PortPolicy adapted =
        p.withBalancing(
                balancing
                    .withAlgorithm(lb)
                    .withHashBalanceFactor(
                        d.drop(
                            balancing.hashBalanceFactor(),
                            AnnotationRegistry.HASH_BALANCE_FACTOR,
                            "gRPC has no bounded-load hashing"))
                    .withSlowStart(
                        d.drop(
                            balancing.slowStart(),
                            AnnotationRegistry.SLOW_START,
                            "gRPC has no slow start"))
                    .withPanicThreshold(
                        d.dropAnnotated(
                            p,
                            balancing.panicThreshold(),
                            AnnotationRegistry.PANIC_THRESHOLD,
                            "gRPC has no panic mode; it only uses ready endpoints")))
            .withAffinity(
                affinity
                    .withHashKeys(lb.isHashing() ? hashKeys(affinity.hashKeys(), d) : List.of())
                    .withPortAffinity(
                        d.drop(
                            affinity.portAffinity(),
                            AnnotationRegistry.PORT_AFFINITY,
                            "gRPC cannot hash on the pod identity"))
                    .withSessionPersistence(
                        d.drop(
                            affinity.sessionPersistence(),
                            AnnotationRegistry.SESSION_PERSISTENCE,
                            "gRPC clients have no stateful sessions")))
            .withResilience(
                resilience
                    .withHealthCheck(
                        d.drop(
                            resilience.healthCheck(),
                            AnnotationRegistry.HEALTH_CHECK,
                            "gRPC clients do no active health checking"))
                    .withOutlierDetection(outlier(resilience.outlierDetection(), d))
                    .withCircuitBreakers(Optional.ofNullable(breakers))
                    .withConnectionPool(
                        d.drop(
                            resilience.connectionPool(),
                            AnnotationRegistry.CONNECTION_POOL,
                            "gRPC clients keep one connection per endpoint and read no pool limits"))
                    .withRetries(resilience.retries().map(r -> retries(r, d))))
            .withTimeouts(
                p.timeouts()
                    .withMaxConnectionDuration(
                        d.drop(
                            p.timeouts().maxConnectionDuration(),
                            AnnotationRegistry.MAX_CONNECTION_DURATION,
                            "a proxyless client balances each request itself"))
                    .withIdle(
                        d.dropAnnotated(
                            p,
                            p.timeouts().idle(),
                            AnnotationRegistry.IDLE_TIMEOUT,
                            "gRPC clients have no per-stream idle timer")))
            .withTraffic(
                p.traffic()
                    .withRateLimits(
                        d.drop(
                                p.traffic().rateLimits().flatMap(RateLimits::perProxy),
                                AnnotationRegistry.RATE_LIMIT,
                                "gRPC clients have no local rate limiter, so the port's calls are not limited")
                            .map(x -> RateLimits.NONE))
                    // Nothing to warn about: a proxyless client writes no access log.
                    .withAccessLog(Optional.empty()));
    splitStickiness(adapted, d);
    return new Adapted(adapted, d.diagnostics());
  }

  /**
   * gRPC picks a split's backend at random per RPC: with hash keys a user stays on one endpoint of
   * a version, but not on one version.
   */
  private static void splitStickiness(PortPolicy p, Downgrades d) {
    if (p.traffic().split().isPresent()
        && p.traffic().split().get().backends().size() > 1
        && !p.affinity().hashKeys().isEmpty()) {
      d.warn(
          AnnotationRegistry.SPLIT,
          "gRPC picks a split's backend at random per RPC, so one hash key can reach every version; the key only keeps its endpoint within a version");
    }
  }

  private static LoadBalancing lb(LoadBalancing lb, ClientKind client, Downgrades d) {
    if (lb instanceof LoadBalancing.Maglev) {
      d.warn(AnnotationRegistry.LB_POLICY, "gRPC rejects maglev; ring-hash is sent instead");
      return new LoadBalancing.RingHash(
          LoadBalancing.DEFAULT_RING_MIN, LoadBalancing.DEFAULT_RING_MAX);
    }
    if (lb instanceof LoadBalancing.LeastRequest && !supportsLeastRequest(client)) {
      d.warn(
          AnnotationRegistry.LB_POLICY,
          client.label() + " rejects least-request; round-robin is sent instead");
      return new LoadBalancing.RoundRobin();
    }
    if (lb instanceof LoadBalancing.WeightedRoundRobin && !supportsWeightedRoundRobin(client)) {
      d.warn(
          AnnotationRegistry.LB_POLICY,
          client.label()
              + " has no client-side weighted round-robin (grpc-js-xds 1.14 enables it only with"
              + " GRPC_EXPERIMENTAL_XDS_WRR_LB=true); round-robin is sent instead");
      return new LoadBalancing.RoundRobin();
    }
    if (lb instanceof LoadBalancing.Random) {
      d.warn(
          AnnotationRegistry.LB_POLICY, "gRPC has no random policy; round-robin is sent instead");
      return new LoadBalancing.RoundRobin();
    }
    return lb;
  }

  /** gRPC hashes on headers and on its channel id only; source-ip maps to the channel id. */
  private static List<HashKey> hashKeys(List<HashKey> keys, Downgrades d) {
    Set<HashKey> out = new LinkedHashSet<>();
    for (HashKey k : keys) {
      if (k instanceof HashKey.SourceIp) {
        d.warn(
            AnnotationRegistry.HASH_ON,
            "gRPC cannot hash on the client address; source-ip becomes the gRPC channel id (each client channel sticks to one backend)");
        out.add(new HashKey.ChannelId());
      } else if (k.grpcCapable()) {
        out.add(k);
      } else {
        d.warn(
            AnnotationRegistry.HASH_ON,
            "gRPC hashes on headers only; " + k.describe() + " is not sent");
      }
    }
    if (out.isEmpty() && !keys.isEmpty()) {
      d.warn(
          AnnotationRegistry.HASH_ON,
          "no hash key is left for gRPC, so ring-hash picks endpoints at random");
    }
    return List.copyOf(out);
  }

  /**
   * gRPC ejects on success rate and failure percentage only (gRFC A50): without one of them there
   * is nothing to send, and the consecutive-error modes are dropped.
   */
  private static Optional<OutlierDetection> outlier(
      Optional<OutlierDetection> value, Downgrades d) {
    if (value.isEmpty() || !value.get().hasStatisticalMode()) {
      return d.drop(
          value,
          AnnotationRegistry.OUTLIER_DETECTION,
          "gRPC implements no consecutive-5xx ejection");
    }
    OutlierDetection o = value.get();
    List<String> dropped = new ArrayList<>(List.of("consecutive-5xx"));
    o.gatewayFailures().ifPresent(v -> dropped.add("gateway-failure"));
    o.localOriginFailures().ifPresent(v -> dropped.add("local-origin"));
    d.warn(
        AnnotationRegistry.OUTLIER_DETECTION,
        "gRPC ejects on success rate and failure percentage only (gRFC A50); "
            + String.join(", ", dropped)
            + " not sent");
    if (o.requestVolume().isPresent() && o.successRateOn()) {
      d.warn(
          AnnotationRegistry.OUTLIER_DETECTION,
          "grpc-java reads the success-rate request volume from the minimum-hosts field, so request-volume is sent for failure-percentage only");
    }
    return Optional.of(
        new OutlierDetection(
            o.consecutive5xx(),
            o.interval(),
            o.baseEjectionTime(),
            o.maxEjectionPercent(),
            Optional.empty(),
            Optional.empty(),
            o.successRateEnforcing(),
            o.failurePercentageThreshold(),
            o.failurePercentageEnforcing(),
            o.minHosts(),
            o.requestVolume()));
  }

  /** gRPC retries only on gRPC statuses; HTTP-level conditions mean an unavailable backend. */
  private static RetryPolicy retries(RetryPolicy r, Downgrades d) {
    Set<String> on = new LinkedHashSet<>();
    for (String c : r.on()) {
      if (RetryPolicy.GRPC_CONDITIONS.contains(c)) {
        on.add(c);
      } else {
        on.add("unavailable");
      }
    }
    if (!on.containsAll(r.on())) {
      d.warn(
          AnnotationRegistry.RETRIES,
          "gRPC retries on gRPC statuses only; "
              + String.join("|", r.on())
              + " becomes "
              + String.join("|", on));
    }
    if (r.perTryTimeout().isPresent()) {
      d.warn(AnnotationRegistry.RETRIES, "gRPC has no per-try timeout; it is not sent");
    }
    if (r.retriableStatusCodes().isPresent()) {
      d.warn(
          AnnotationRegistry.RETRIES,
          "gRPC retries on gRPC statuses, not HTTP ones; status= is not sent");
    }
    if (r.retryHost().filter(h -> h == RetryPolicy.RetryHost.OTHER).isPresent()) {
      d.warn(
          AnnotationRegistry.RETRIES,
          "gRPC has no retry host predicate, so a retry may pick the endpoint that failed; retry-host=other is not sent");
    }
    // gRPC reads retry_back_off (gRFC A44), with Envoy's defaults.
    return new RetryPolicy(
        r.attempts(),
        List.copyOf(on),
        Optional.empty(),
        r.backoff(),
        Optional.empty(),
        Optional.empty());
  }

  /** Collects the downgrades of one port for one client. */
  private static final class Downgrades {
    private final ObjectRef object;
    private final ClientKind client;
    private final String port;
    private final List<Diagnostic> diagnostics = new ArrayList<>();

    Downgrades(ObjectRef object, ClientKind client, String port) {
      this.object = object;
      this.client = client;
      this.port = port;
    }

    void warn(AnnotationKey<?> key, String message) {
      Diagnostic diag =
          Diagnostic.warning(
              Reason.CLIENT_DOWNGRADE,
              Subject.of(object, port, key.fullName()),
              "port " + port + ", " + client.label() + ": " + message);
      if (!diagnostics.contains(diag)) {
        diagnostics.add(diag);
      }
    }

    <T> Optional<T> drop(Optional<T> value, AnnotationKey<?> key, String why) {
      value.ifPresent(v -> warn(key, why + "; not sent"));
      return Optional.empty();
    }

    /** Drops a setting that always has a value, warning only when the user asked for it. */
    <T> Optional<T> dropAnnotated(
        PortPolicy p, Optional<T> value, AnnotationKey<?> key, String why) {
      if (p.sourceOf(key) != Provenance.DEFAULT) {
        return drop(value, key, why);
      }
      return Optional.empty();
    }

    boolean drop(boolean value, AnnotationKey<?> key, String why) {
      if (value) {
        warn(key, why + "; not sent");
      }
      return false;
    }

    List<Diagnostic> diagnostics() {
      return diagnostics;
    }
  }
}
