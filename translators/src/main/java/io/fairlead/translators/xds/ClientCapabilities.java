package io.fairlead.translators.xds;

import io.fairlead.policies.AnnotationKey;
import io.fairlead.policies.AnnotationRegistry;
import io.fairlead.policies.CircuitBreakers;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.HashKey;
import io.fairlead.policies.LoadBalancing;
import io.fairlead.policies.PortPolicy;
import io.fairlead.policies.Provenance;
import io.fairlead.policies.RetryPolicy;
import io.fairlead.translators.ClientKind;
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

  private ClientCapabilities() {}

  /** grpc-node fails on a typed RingHash that sets ring sizes; it accepts the legacy config. */
  public static boolean acceptsTypedLbPolicies(ClientKind client) {
    return client == ClientKind.ENVOY;
  }

  /** Envoy's retry host predicates; gRPC clients ignore them. */
  public static boolean hasRetryHostPredicates(ClientKind client) {
    return client == ClientKind.ENVOY;
  }

  public static boolean supportsLeastRequest(ClientKind client) {
    return client == ClientKind.ENVOY || client == ClientKind.GRPC_JAVA;
  }

  public static Adapted adapt(PortPolicy p, ClientKind client, String object) {
    if (!client.isGrpc()) {
      return new Adapted(p, List.of());
    }
    Downgrades d = new Downgrades(object, client, p.port().label());
    LoadBalancing lb = lb(p.loadBalancing(), client, d);
    List<HashKey> keys = lb.isHashing() ? hashKeys(p.hashKeys(), d) : List.of();
    CircuitBreakers breakers =
        p.circuitBreakers()
            .map(
                b -> {
                  if (b.maxConnections().isPresent() || b.maxPendingRequests().isPresent() || b.maxRetries().isPresent()) {
                    d.warn(AnnotationRegistry.CIRCUIT_BREAKERS, "gRPC applies only max-requests; the other limits are not sent");
                  }
                  return new CircuitBreakers(Optional.empty(), Optional.empty(), b.maxRequests(), Optional.empty());
                })
            .filter(b -> b.maxRequests().isPresent())
            .orElse(null);
    PortPolicy adapted =
        new PortPolicy(
            p.port(),
            p.protocol(),
            lb,
            keys,
            d.drop(p.portAffinity(), AnnotationRegistry.PORT_AFFINITY, "gRPC cannot hash on the pod identity"),
            d.drop(p.hashBalanceFactor(), AnnotationRegistry.HASH_BALANCE_FACTOR, "gRPC has no bounded-load hashing"),
            d.drop(p.sessionPersistence(), AnnotationRegistry.SESSION_PERSISTENCE, "gRPC clients have no stateful sessions"),
            d.drop(p.slowStart(), AnnotationRegistry.SLOW_START, "gRPC has no slow start"),
            d.drop(
                p.maxConnectionDuration(),
                AnnotationRegistry.MAX_CONNECTION_DURATION,
                "a proxyless client balances each request itself"),
            d.drop(p.healthCheck(), AnnotationRegistry.HEALTH_CHECK, "gRPC clients do no active health checking"),
            d.drop(
                p.outlierDetection(),
                AnnotationRegistry.OUTLIER_DETECTION,
                "gRPC implements no consecutive-5xx ejection"),
            Optional.ofNullable(breakers),
            p.retries().map(r -> retries(r, d)),
            p.timeout(),
            p.gateway(),
            p.preferClose(),
            p.nodeLocal(),
            d.dropAnnotated(p, p.panicThreshold(), AnnotationRegistry.PANIC_THRESHOLD, "gRPC has no panic mode; it only uses ready endpoints"),
            d.dropAnnotated(p, p.idleTimeout(), AnnotationRegistry.IDLE_TIMEOUT, "gRPC clients have no per-stream idle timer"),
            p.provenance());
    return new Adapted(adapted, d.diagnostics());
  }

  private static LoadBalancing lb(LoadBalancing lb, ClientKind client, Downgrades d) {
    if (lb instanceof LoadBalancing.Maglev) {
      d.warn(AnnotationRegistry.LB_POLICY, "gRPC rejects maglev; ring-hash is sent instead");
      return new LoadBalancing.RingHash(LoadBalancing.DEFAULT_RING_MIN, LoadBalancing.DEFAULT_RING_MAX);
    }
    if (lb instanceof LoadBalancing.LeastRequest && !supportsLeastRequest(client)) {
      d.warn(AnnotationRegistry.LB_POLICY, client.label() + " rejects least-request; round-robin is sent instead");
      return new LoadBalancing.RoundRobin();
    }
    if (lb instanceof LoadBalancing.Random) {
      d.warn(AnnotationRegistry.LB_POLICY, "gRPC has no random policy; round-robin is sent instead");
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
        d.warn(AnnotationRegistry.HASH_ON, "gRPC hashes on headers only; " + k.describe() + " is not sent");
      }
    }
    if (out.isEmpty() && !keys.isEmpty()) {
      d.warn(AnnotationRegistry.HASH_ON, "no hash key is left for gRPC, so ring-hash picks endpoints at random");
    }
    return List.copyOf(out);
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
      d.warn(AnnotationRegistry.RETRIES, "gRPC retries on gRPC statuses only; " + String.join("|", r.on()) + " becomes " + String.join("|", on));
    }
    if (r.perTryTimeout().isPresent()) {
      d.warn(AnnotationRegistry.RETRIES, "gRPC has no per-try timeout; it is not sent");
    }
    return new RetryPolicy(r.attempts(), List.copyOf(on), Optional.empty());
  }

  /** Collects the downgrades of one port for one client. */
  private static final class Downgrades {
    private final String object;
    private final ClientKind client;
    private final String port;
    private final List<Diagnostic> diagnostics = new ArrayList<>();

    Downgrades(String object, ClientKind client, String port) {
      this.object = object;
      this.client = client;
      this.port = port;
    }

    void warn(AnnotationKey<?> key, String message) {
      Diagnostic diag =
          Diagnostic.warning(object, key.fullName(), "port " + port + ", " + client.label() + ": " + message);
      if (!diagnostics.contains(diag)) {
        diagnostics.add(diag);
      }
    }

    <T> Optional<T> drop(Optional<T> value, AnnotationKey<?> key, String why) {
      value.ifPresent(v -> warn(key, why + "; not sent"));
      return Optional.empty();
    }

    /** Drops a setting that always has a value, warning only when the user asked for it. */
    <T> Optional<T> dropAnnotated(PortPolicy p, Optional<T> value, AnnotationKey<?> key, String why) {
      if (p.sourceOf(key.name()) != Provenance.DEFAULT) {
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
