package io.fairlead.policies;

/** Renders the annotation reference, {@code docs/annotations.md}, from the registry. */
public final class AnnotationDocs {

  private AnnotationDocs() {}

  public static String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("# Annotation reference\n\n")
        .append(
            "<!-- Generated from AnnotationRegistry by AnnotationDocsTest; run `mvn test -pl policies -Dupdate=true` after changing a key. -->\n\n")
        .append("Fairlead reads load-balancing and affinity policy from annotations on Services.\n")
        .append(
            "Any key may be suffixed with `.PORTNAME` to apply to one port only, e.g. `fairlead.io/lb-policy.admin`.\n")
        .append(
            "Precedence, strongest first: per-port annotation, Service annotation, native Service field, default.\n\n")
        .append(
            "User input never fails a Service: an invalid value is an **error** diagnostic and that setting falls back ")
        .append(
            "to the next source (per-port → Service-wide → native field → default); an unknown `fairlead.io/` key or ")
        .append(
            "a setting that has no effect is a **warning**; the rest of the Service still applies. ")
        .append(
            "`fairlead translate` and `fairlead explain` print the diagnostics; `serve` exposes them on `/debug/diagnostics` and as Kubernetes Events.\n\n")
        .append(
            "Which of these behaviours were proven with which real client (grpc-java, grpc-js, Envoy) is listed in ")
        .append(
            "[operations.md](operations.md#what-is-proven-and-with-what). Each claim about what Envoy does links the ")
        .append("runtime rule behind it in [envoy-semantics.md](envoy-semantics.md).\n\n")
        .append("| key | value | default | meaning |\n|---|---|---|---|\n");
    for (AnnotationKey<?> k : AnnotationRegistry.all()) {
      row(out, "`" + k.fullName() + "`", k.grammar(), k.defaultValue(), k.description());
    }
    out.append("\n## What each key does on each client\n\n")
        .append("| key | sidecar and gateway Envoy | proxyless gRPC |\n|---|---|---|\n");
    for (AnnotationKey<?> k : AnnotationRegistry.all()) {
      row(out, "`" + k.fullName() + "`", k.onEnvoy(), k.onGrpc());
    }
    out.append("\n## Pod annotations\n\n")
        .append(
            "Read from Pods, not from Services: `fairlead.io/weight` by the control plane (through the EndpointSlice endpoints' `targetRef`; it watches Pods only for that key), `fairlead.io/dependencies` by the Pod's own sidecar bootstrap (the downward API), which puts it in the sidecar's node metadata.\n\n")
        .append(
            "| key | value | default | meaning | sidecar and gateway Envoy | proxyless gRPC |\n|---|---|---|---|---|---|\n");
    for (AnnotationKey<?> k : AnnotationRegistry.podKeys()) {
      row(
          out,
          "`" + k.fullName() + "`",
          k.grammar(),
          k.defaultValue(),
          k.description(),
          k.onEnvoy(),
          k.onGrpc());
    }
    out.append(NATIVE_FIELDS);
    return out.toString();
  }

  private static final String NATIVE_FIELDS =
      """

      ## Native Service fields

      | field | effect |
      |---|---|
      | `spec.sessionAffinity: ClientIP` | Source-IP consistent hashing (ring-hash on the client address) unless `fairlead.io/hash-on` or `fairlead.io/lb-policy` say otherwise. `fairlead.io/source-ip-prefix` sets its subnet granularity. The address hashed is the client's own, never an X-Forwarded-For entry (see [hash-source-ip](envoy-semantics.md#hash-source-ip)). `sessionAffinityConfig.clientIP.timeoutSeconds` has no equivalent in consistent hashing: a client keeps its backend for as long as the endpoint set allows, not for a fixed time. For time-bounded pinning use `fairlead.io/session-persistence` with `fairlead.io/persistence-timeout`. |
      | `spec.ports[].appProtocol` | Chooses the protocol: `http`, `kubernetes.io/ws`, `grpc-web` → http; `http2`, `h2c`, `kubernetes.io/h2c` → http2; `grpc` → grpc; anything else → tcp (an info diagnostic says so). |
      | port name prefix | Without appProtocol: `grpc`/`grpc-*` → grpc, `http2`/`h2c`(`-*`) → http2, `http`/`http-*` → http, else tcp. |
      | `spec.trafficDistribution: PreferClose` (or `PreferSameZone`) | Zone-aware routing as Kubernetes defines it: every request stays in the proxy's zone while that zone has a ready endpoint, and goes to the other zones only when it has none. Endpoints in the proxy's zone are priority 0, the others priority 1, and Envoy gets an overprovisioning factor that keeps all traffic on priority 0 while one endpoint there is ready (see [overprovisioning](envoy-semantics.md#overprovisioning)); gRPC fails over when the local priority cannot connect (see [grpc-priorities](envoy-semantics.md#grpc-priorities)). Applies to proxies that state their zone (node locality or `fairlead.io/zone` metadata). |
      | `spec.internalTrafficPolicy: Local` | Sidecars and proxyless clients that state their node (`fairlead.io/node` metadata) get only endpoints on that node. Proxies that do not state it get every endpoint. |
      | EndpointSlice conditions | As kube-proxy: ready → HEALTHY; serving and terminating → DRAINING (keeps stateful sessions, gets no new traffic), or HEALTHY when no endpoint of the port is ready; not serving → not sent at all, so neither Envoy's panic mode nor any client can pick it (see [eds-health](envoy-semantics.md#eds-health), [panic-threshold](envoy-semantics.md#panic-threshold)). |
      | EndpointSlice `zone` | The endpoint's locality. Its `load_balancing_weight` counts the locality's ready endpoints (summing their Pods' `fairlead.io/weight` when they have one); gRPC clients get no locality without one (see [locality-weight](envoy-semantics.md#locality-weight)). |
      """;

  /** One markdown table row. */
  private static void row(StringBuilder out, String... cells) {
    out.append("| ").append(String.join(" | ", cells)).append(" |\n");
  }
}
