package io.fairlead.policies;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Every annotation key Fairlead knows. Nothing else in the code base spells a key; the annotation
 * reference ({@code docs/annotations.md}) is generated from this list.
 */
public final class AnnotationRegistry {

  public static final String PREFIX = "fairlead.io/";

  /** A DNS label's length limit (namespaces, gateway groups). */
  private static final int DNS_LABEL_LENGTH = 63;

  public static final AnnotationKey<LbKind> LB_POLICY =
      new AnnotationKey<>(
          "lb-policy",
          "`round-robin` | `least-request` | `random` | `ring-hash` | `maglev`",
          "round-robin; ring-hash when hash keys or ClientIP affinity are asked for",
          "The balancing algorithm, applied to every request or stream, not once per connection.",
          "Typed `load_balancing_policy` (round_robin, least_request, random, ring_hash, maglev).",
          "maglev becomes ring_hash (gRPC rejects MAGLEV); least-request becomes round-robin for grpc-node; random becomes round-robin.",
          SettingParsers::lbPolicy);

  public static final AnnotationKey<List<HashKey>> HASH_ON =
      new AnnotationKey<>(
              "hash-on",
              "comma list of `header:NAME`, `cookie:NAME`, `source-ip`, `query:NAME`",
              "none (source-ip with `sessionAffinity: ClientIP`)",
              "Consistent-hash keys, tried in order: the first key that yields a value decides, the later ones are ignored. A request with none is balanced at random (see [hash-none](envoy-semantics.md#hash-none)). `source-ip` is the client's own address, never an X-Forwarded-For entry. Needs a hashing lb-policy; with another one it is an error and is ignored. On TCP ports only source-ip applies.",
              "Route `hash_policy` entries, `terminal` on all but the last (see [hash-terminal](envoy-semantics.md#hash-terminal)). `source-ip` on sidecars hashes the connection's peer through the subnet script's header (see [hash-source-ip](envoy-semantics.md#hash-source-ip)); on gateways `connection_properties.source_ip`, with `use_remote_address` (see [xff-trusted-hops](envoy-semantics.md#xff-trusted-hops)). TCP ports use `tcp_proxy.hash_policy.source_ip`.",
              "Only `header:` keys are sent (gRPC ignores the others), `terminal` on all but the last as for Envoy; `source-ip` becomes the gRPC channel id, so each client channel sticks to one backend.",
              SettingParsers::hashOn)
          .bounded(
              List.of(
                  nameLength("header name", "header:", k -> ((HashKey.Header) k).name()),
                  nameLength("cookie name", "cookie:", k -> ((HashKey.Cookie) k).name()),
                  nameLength("query name", "query:", k -> ((HashKey.Query) k).name())));

  public static final AnnotationKey<Duration> COOKIE_TTL =
      new AnnotationKey<>(
              "cookie-ttl",
              "duration (`0s` = session cookie)",
              "0s",
              "Lifetime of the hash cookie Envoy generates when the request has none. The cookie is a hash key, not a pod: when pods come and go, some keys move (use session-persistence to pin a pod).",
              "`hash_policy.cookie.ttl`; `0s` still generates a cookie, without Max-Age (see [hash-cookie](envoy-semantics.md#hash-cookie)).",
              "Not sent: gRPC does not hash on cookies.",
              Values::duration)
          .bounded(durationBounds(0));

  public static final AnnotationKey<String> COOKIE_PATH =
      new AnnotationKey<>(
          "cookie-path",
          "path",
          "unset (the request path's directory, as browsers do)",
          "Path attribute of the generated hash cookie.",
          "`hash_policy.cookie.path`.",
          "Not sent.",
          Values::path);

  public static final AnnotationKey<SourceIpPrefix> SOURCE_IP_PREFIX =
      new AnnotationKey<>(
              "source-ip-prefix",
              "`V4` or `V4,V6` prefix lengths",
              "32,128 (the whole address)",
              "LVS persistence granularity: clients of one subnet share a backend. Applies to `source-ip` hash keys, including the one `sessionAffinity: ClientIP` implies. Works on HTTP-family ports; TCP ports hash the whole address (a warning says so).",
              "A Lua filter writes the masked client subnet into `x-fairlead-client-subnet` and the route hashes on that header; a client-sent value is always overwritten. The address is the connection's peer on sidecars and Envoy's derived client on gateways (see [lua-addresses](envoy-semantics.md#lua-addresses)).",
              "Not applicable: gRPC hashes on the channel id instead of the source address.",
              SettingParsers::sourceIpPrefix)
          .bounded(
              List.of(
                  new Bound<>("v4", 0, 32, n -> Long.toString(n), SourceIpPrefix::v4),
                  new Bound<>("v6", 0, 128, n -> "32," + n, SourceIpPrefix::v6)));

  public static final AnnotationKey<Boolean> PORT_AFFINITY =
      new AnnotationKey<>(
          "port-affinity",
          "`all-ports` | `none`",
          "none",
          "LVS persistent-client port groups: one client's hash key lands on the same pod on every port of the Service (e.g. 80 and 443). Needs a hashing lb-policy, and the same hash-on, lb-policy and source-ip-prefix on every port: ports that hash differently (a subnet prefix next to a TCP port, which hashes the whole address) get a warning.",
          "Each endpoint's hostname is its pod IP and the hashing policy sets `use_hostname_for_hashing`, so every port's ring is built on pods, not ip:port; HTTP and TCP ports hash a client's address identically (see [header-hash-equals-ip-hash](envoy-semantics.md#header-hash-equals-ip-hash)).",
          "Not sent: gRPC has no `use_hostname_for_hashing`.",
          SettingParsers::portAffinity);

  public static final AnnotationKey<RingSize> RING_SIZE =
      new AnnotationKey<>(
              "ring-size",
              "`MIN` or `MIN-MAX`, each 1 to 8388608",
              "1024-8388608",
              "Ring-hash ring sizes; a larger ring spreads keys more evenly.",
              "RingHash `minimum_ring_size` / `maximum_ring_size`.",
              "Sent (grpc-node gets the legacy `ring_hash_lb_config`, which it accepts).",
              SettingParsers::ringSize)
          .bounded(
              List.of(
                  new Bound<>(
                      "minimum",
                      1,
                      LoadBalancing.RING_LIMIT,
                      n -> n + "-" + LoadBalancing.RING_LIMIT,
                      RingSize::min),
                  new Bound<>(
                      "maximum", 1, LoadBalancing.RING_LIMIT, n -> "1-" + n, RingSize::max)));

  public static final AnnotationKey<Long> MAGLEV_TABLE_SIZE =
      new AnnotationKey<>(
              "maglev-table-size",
              "prime number, at most 5000011",
              "65537",
              "Maglev lookup table size.",
              "Maglev `table_size`.",
              "Not applicable: maglev becomes ring-hash.",
              SettingParsers::maglevTableSize)
          .bounded(
              List.of(
                  new Bound<>(
                      "table size",
                      2,
                      LoadBalancing.MAGLEV_TABLE_LIMIT,
                      n -> Long.toString(n),
                      v -> v)));

  public static final AnnotationKey<Integer> HASH_BALANCE_FACTOR =
      new AnnotationKey<>(
              "hash-balance-factor",
              "integer, at least 100",
              "unset (no bound)",
              "Bounded-load consistent hashing: no endpoint takes more than factor/100 of the average load. A key whose endpoint is over the bound goes elsewhere, so stickiness gives way under load.",
              "`consistent_hashing_lb_config.hash_balance_factor` (see [consistent-hashing](envoy-semantics.md#consistent-hashing)).",
              "Not sent: gRPC does not support bounded loads.",
              v -> SettingParsers.atLeast(v, 100))
          .bounded(
              List.of(
                  new Bound<>("factor", 100, Integer.MAX_VALUE, n -> Long.toString(n), v -> v)));

  public static final AnnotationKey<Integer> LEAST_REQUEST_CHOICES =
      new AnnotationKey<>(
              "least-request-choices",
              "integer, at least 2",
              "2",
              "How many random endpoints least-request compares.",
              "LeastRequest `choice_count` (see [least-request](envoy-semantics.md#least-request)).",
              "Sent to grpc-java; grpc-node gets round-robin.",
              v -> SettingParsers.atLeast(v, 2))
          .bounded(
              List.of(new Bound<>("choices", 2, Integer.MAX_VALUE, n -> Long.toString(n), v -> v)));

  public static final AnnotationKey<SessionPersistence> SESSION_PERSISTENCE =
      new AnnotationKey<>(
              "session-persistence",
              "`cookie:NAME` | `header:NAME`",
              "unset",
              "Strong affinity: the session names the exact endpoint and survives scaling. Terminating endpoints keep their sessions and get no new ones, unless an active health check fails them (see [hc-ends-sessions](envoy-semantics.md#hc-ends-sessions)). When the endpoint is gone, the request is balanced again. The client must send the cookie or header back: for service-to-service calls through a sidecar, where clients rarely keep cookies, use `header:NAME`. HTTP-family ports only.",
              "Stateful-session filter (`envoy.http.stateful_session.cookie` or `.header`, `strict: false`) on the route, and `DRAINING` in the cluster's `override_host_status` (see [override-host](envoy-semantics.md#override-host)).",
              "Not sent: grpc-java and grpc-node have no stateful sessions.",
              SettingParsers::sessionPersistence)
          .bounded(
              List.of(
                  new Bound<>(
                      "cookie name length",
                      1,
                      Values.MAX_NAME_LENGTH,
                      n -> "cookie:" + "c".repeat((int) n),
                      s -> ((SessionPersistence.Cookie) s).name().length()),
                  new Bound<>(
                      "header name length",
                      1,
                      Values.MAX_NAME_LENGTH,
                      n -> "header:" + "h".repeat((int) n),
                      s -> ((SessionPersistence.Header) s).name().length())));

  public static final AnnotationKey<Duration> PERSISTENCE_TIMEOUT =
      new AnnotationKey<>(
              "persistence-timeout",
              "duration",
              "0s (the session lasts as long as the browser session)",
              "Session lifetime for cookie persistence, counted from the session's first request: Envoy writes the cookie once, so unlike LVS `persistence_timeout` it is not an idle timer. On a gateway fleet, Envoy builds without PR #44981 check it against each replica's own clock, so a warning says so unless the gateway declares a fixed build.",
              "The session cookie's `ttl` (see [session-cookie-clock](envoy-semantics.md#session-cookie-clock)).",
              "Not sent.",
              Values::duration)
          .bounded(durationBounds(0));

  public static final AnnotationKey<Duration> SLOW_START =
      new AnnotationKey<>(
              "slow-start",
              "duration",
              "unset",
              "New endpoints ramp up their share of traffic over this window. round-robin and least-request only.",
              "`slow_start_config.slow_start_window` of the typed policy (see [slow-start](envoy-semantics.md#slow-start)).",
              "Not sent: gRPC has no slow start.",
              Values::positiveDuration)
          .bounded(durationBounds(1));

  public static final AnnotationKey<Protocol> PROTOCOL =
      new AnnotationKey<>(
          "protocol",
          "`http` | `http2` | `grpc` | `tcp`",
          "from `appProtocol`, then the port name prefix (`grpc-`, `http2-`, `h2c-`, `http-`), else tcp",
          "The port's application protocol. HTTP-family ports are balanced per request; http2 and grpc ports get HTTP/2 upstreams so each stream is balanced on its own. HTTP-family ports pass WebSocket upgrades, also RFC 8441 WebSockets over HTTP/2 from the client.",
          "HTTP connection manager and routes, or `tcp_proxy` for tcp; `upgrade_configs: websocket` and `http2_protocol_options.allow_connect` (see [websocket-h2](envoy-semantics.md#websocket-h2)).",
          "gRPC clients always speak HTTP/2; the setting only decides which keys apply.",
          SettingParsers::protocol);

  public static final AnnotationKey<Duration> MAX_CONNECTION_DURATION =
      new AnnotationKey<>(
              "max-connection-duration",
              "duration",
              "unset",
              "Drain long-lived downstream connections after this long, so clients reconnect. On TCP ports this re-balances them. On sidecar HTTP ports it re-balances nothing: that connection only joins the app to its sidecar, which balances every request already.",
              "Sidecar: HTTP `common_http_protocol_options.max_connection_duration`, TCP `tcp_proxy.max_downstream_connection_duration` (see [max-connection-duration](envoy-semantics.md#max-connection-duration)). Gateway: not applied, since one listener serves every exposed Service.",
              "Not sent: the gRPC client is itself the downstream; it balances per request already.",
              Values::positiveDuration)
          .bounded(durationBounds(1));

  public static final AnnotationKey<HealthCheck> HEALTH_CHECK =
      new AnnotationKey<>(
              "health-check",
              "`http:/PATH` | `grpc` | `tcp`, then `,interval=D,timeout=D,unhealthy=N,healthy=N,host=NAME`",
              "unset; interval=10s, timeout=1s, unhealthy=3, healthy=1, host = the Service's DNS name when enabled",
              "Active health checking of the endpoints, with `Host` (or gRPC `:authority`) set to the Service's DNS name unless `host=` names another. On http2 and grpc ports HTTP checks speak HTTP/2. `grpc` needs an http2 or grpc port (Envoy checks gRPC health over HTTP/2 only). An endpoint Kubernetes removes leaves at once, even while it passes checks. A terminating endpoint that fails its check also loses its sticky sessions.",
              "Cluster `health_checks` with `host` / `authority` (see [hc-host](envoy-semantics.md#hc-host)), `codec_client_type: HTTP2` on HTTP/2 ports (see [hc-codec](envoy-semantics.md#hc-codec)), and `ignore_health_on_host_removal` (see [hc-removal](envoy-semantics.md#hc-removal)); a failed check ends sessions (see [hc-ends-sessions](envoy-semantics.md#hc-ends-sessions)).",
              "Not sent: gRPC clients do no active health checking (they skip endpoints the control plane marks unhealthy).",
              SettingParsers::healthCheck)
          .bounded(
              List.of(
                  new Bound<>(
                      "interval seconds",
                      1,
                      Values.MAX_SECONDS,
                      n -> "tcp,interval=" + n + "s",
                      h -> h.interval().getSeconds()),
                  new Bound<>(
                      "timeout seconds",
                      1,
                      Values.MAX_SECONDS,
                      n -> "tcp,timeout=" + n + "s",
                      h -> h.timeout().getSeconds()),
                  new Bound<>(
                      "unhealthy",
                      1,
                      Integer.MAX_VALUE,
                      n -> "tcp,unhealthy=" + n,
                      HealthCheck::unhealthyThreshold),
                  new Bound<>(
                      "healthy",
                      1,
                      Integer.MAX_VALUE,
                      n -> "tcp,healthy=" + n,
                      HealthCheck::healthyThreshold),
                  new Bound<>(
                      "host length",
                      1,
                      Values.MAX_HOST_LENGTH,
                      n -> "http:/healthz,host=" + "h".repeat((int) n),
                      h -> h.host().orElseThrow().length())));

  public static final AnnotationKey<OutlierDetection> OUTLIER_DETECTION =
      new AnnotationKey<>(
              "outlier-detection",
              "`default`, or `consecutive-5xx=N,interval=D,base-ejection-time=D,max-ejection-percent=N`",
              "unset; consecutive-5xx=5, interval=10s, base-ejection-time=30s, max-ejection-percent=50 when enabled",
              "Passive ejection of endpoints that keep failing. At most max-ejection-percent of the endpoints are out at once; below 100/N percent none of N endpoints can be ejected, hence the 50% default. An ejected endpoint also loses its sticky sessions.",
              "Cluster `outlier_detection` (see [outlier-ejection](envoy-semantics.md#outlier-ejection)).",
              "Not sent: gRPC implements only success-rate and failure-percentage ejection, not consecutive-5xx.",
              SettingParsers::outlierDetection)
          .bounded(
              List.of(
                  new Bound<>(
                      "consecutive-5xx",
                      1,
                      Integer.MAX_VALUE,
                      n -> "consecutive-5xx=" + n,
                      OutlierDetection::consecutive5xx),
                  new Bound<>(
                      "interval seconds",
                      1,
                      Values.MAX_SECONDS,
                      n -> "interval=" + n + "s",
                      o -> o.interval().getSeconds()),
                  new Bound<>(
                      "base-ejection-time seconds",
                      1,
                      Values.MAX_SECONDS,
                      n -> "base-ejection-time=" + n + "s",
                      o -> o.baseEjectionTime().getSeconds()),
                  new Bound<>(
                      "max-ejection-percent",
                      0,
                      100,
                      n -> "max-ejection-percent=" + n,
                      OutlierDetection::maxEjectionPercent)));

  public static final AnnotationKey<CircuitBreakers> CIRCUIT_BREAKERS =
      new AnnotationKey<>(
              "circuit-breakers",
              "`max-connections=N,max-pending-requests=N,max-requests=N,max-retries=N` (any subset)",
              "Envoy's defaults (1024 each, 3 retries)",
              "Per-cluster limits.",
              "Cluster `circuit_breakers.thresholds` (default priority; see [circuit-breakers](envoy-semantics.md#circuit-breakers)).",
              "Only `max-requests` is sent; gRPC ignores the other limits.",
              SettingParsers::circuitBreakers)
          .bounded(
              List.of(
                  new Bound<>(
                      "max-connections",
                      0,
                      Integer.MAX_VALUE,
                      n -> "max-connections=" + n,
                      b -> b.maxConnections().orElseThrow()),
                  new Bound<>(
                      "max-pending-requests",
                      0,
                      Integer.MAX_VALUE,
                      n -> "max-pending-requests=" + n,
                      b -> b.maxPendingRequests().orElseThrow()),
                  new Bound<>(
                      "max-requests",
                      0,
                      Integer.MAX_VALUE,
                      n -> "max-requests=" + n,
                      b -> b.maxRequests().orElseThrow()),
                  new Bound<>(
                      "max-retries",
                      0,
                      Integer.MAX_VALUE,
                      n -> "max-retries=" + n,
                      b -> b.maxRetries().orElseThrow())));

  public static final AnnotationKey<RetryPolicy> RETRIES =
      new AnnotationKey<>(
              "retries",
              "`attempts=N,on=COND|COND,per-try-timeout=D`",
              "unset; on=5xx|reset|connect-failure when enabled",
              "Route retries, each to an endpoint not tried before, also when the key hashes to the failed one. Conditions: 5xx, gateway-error, reset, reset-before-request, connect-failure, retriable-4xx, refused-stream, and the gRPC statuses cancelled, deadline-exceeded, internal, resource-exhausted, unavailable. HTTP-family ports only.",
              "Route `retry_policy` with the `previous_hosts` predicate and `host_selection_retry_max_attempts: 5` (see [retry-previous-hosts](envoy-semantics.md#retry-previous-hosts)).",
              "gRPC statuses are sent as they are; HTTP conditions become `unavailable`; per-try-timeout is dropped. gRPC has no retry host predicate, so a retry may pick the same endpoint.",
              SettingParsers::retries)
          .bounded(
              List.of(
                  new Bound<>(
                      "attempts",
                      1,
                      Integer.MAX_VALUE,
                      n -> "attempts=" + n,
                      RetryPolicy::attempts),
                  new Bound<>(
                      "per-try-timeout seconds",
                      1,
                      Values.MAX_SECONDS,
                      n -> "per-try-timeout=" + n + "s",
                      r -> r.perTryTimeout().orElseThrow().getSeconds())));

  public static final AnnotationKey<Duration> TIMEOUT =
      new AnnotationKey<>(
              "timeout",
              "duration (`0s` = none)",
              "Envoy's 15s for http; none for http2 and grpc, so long-lived streams are not cut",
              "Whole-request timeout. HTTP-family ports only.",
              "Route `timeout`, counted from the end of the request (see [route-timeout](envoy-semantics.md#route-timeout)). Without the annotation, http2 and grpc ports get `timeout: 0s` (none), so server-streaming calls are not cut.",
              "Route `max_stream_duration.max_stream_duration`.",
              Values::duration)
          .bounded(durationBounds(0));

  public static final AnnotationKey<Duration> IDLE_TIMEOUT =
      new AnnotationKey<>(
              "idle-timeout",
              "duration (`0s` = never)",
              "1h",
              "How long a stream (HTTP-family ports: a request, gRPC call or WebSocket) or a connection (TCP ports) may carry no data before the proxy resets it. Long-lived streams are not cut as long as they are never quiet for this long.",
              "HTTP-family ports: route `idle_timeout`, which replaces the connection manager's 5-minute `stream_idle_timeout` for the route (see [stream-idle](envoy-semantics.md#stream-idle)). TCP ports: `tcp_proxy.idle_timeout` (see [tcp-idle](envoy-semantics.md#tcp-idle)).",
              "Not sent: gRPC clients have no per-stream idle timer.",
              Values::duration)
          .bounded(durationBounds(0));

  public static final AnnotationKey<Integer> PANIC_THRESHOLD =
      new AnnotationKey<>(
              "panic-threshold",
              "percent, 0 to 100",
              "0 (never: not-ready endpoints get no traffic, as with kube-proxy)",
              "Opt-in to Envoy's panic mode: when fewer than this share of a port's endpoints are ready, Envoy balances over all of them, ready or not, rather than overloading the ready ones.",
              "Cluster `common_lb_config.healthy_panic_threshold`, 0 unless set (see [panic-threshold](envoy-semantics.md#panic-threshold)); Envoy's own default would be 50%. In panic Envoy also sends new requests to terminating endpoints.",
              "Not sent: gRPC clients have no panic mode; they only use ready endpoints.",
              SettingParsers::percent)
          .bounded(
              List.of(
                  new Bound<>("percent", 0, 100, n -> Long.toString(n), v -> v),
                  new Bound<>("percent with %", 0, 100, n -> n + "%", v -> v)));

  public static final AnnotationKey<ExportTo> EXPORT_TO =
      new AnnotationKey<>(
              "export-to",
              "`*`, or a comma list of `.` (the Service's own namespace) and namespace names",
              "`*` (every namespace)",
              "Which namespaces' sidecars and proxyless clients receive the Service, as Istio's exportTo. A proxy's namespace comes from its client certificate under mutual TLS, else from its node metadata (`fairlead.io/namespace`, `fairlead bootstrap --namespace`); a proxy of unknown namespace receives only Services exported to every namespace. Applies to the whole Service (no per-port form). Gateways expose by group instead.",
              "Proxies of other namespaces get none of the Service's clusters, endpoints, listeners or routes.",
              "The same: proxyless clients of other namespaces get nothing of the Service.",
              SettingParsers::exportTo)
          .bounded(
              List.of(
                  new Bound<>(
                      "namespace length",
                      1,
                      DNS_LABEL_LENGTH,
                      n -> "n".repeat((int) n),
                      e -> e.namespaces().first().length())));

  /** Keys that apply to the whole Service: a per-port form is a warning. */
  public static final java.util.Set<AnnotationKey<?>> SERVICE_WIDE = java.util.Set.of(EXPORT_TO);

  public static final AnnotationKey<List<String>> GATEWAY_HOST =
      new AnnotationKey<>(
              "gateway-host",
              "comma list of host names (`*.example.com` allowed)",
              "`*` when the Service is exposed",
              "Expose the port through the gateway Envoys under these hosts; a port in the request's Host is ignored (`shop.example.com:8080` matches `shop.example.com`).",
              "A virtual host in the gateway group's route configuration; `strip_any_host_port` on the connection manager (see [strip-host-port](envoy-semantics.md#strip-host-port)).",
              "Not applicable.",
              SettingParsers::hosts)
          .bounded(
              List.of(
                  new Bound<>(
                      "host length",
                      1,
                      Values.MAX_HOST_LENGTH,
                      n -> "h".repeat((int) n),
                      hosts -> hosts.get(0).length())));

  public static final AnnotationKey<String> GATEWAY_PATH =
      new AnnotationKey<>(
          "gateway-path",
          "path prefix",
          "`/`",
          "Path prefix under which the gateway routes to the port, matched by whole path segments.",
          "Route `match.path_separated_prefix` (`/api` matches `/api` and `/api/...`, not `/apiary`); `/` and prefixes ending in `/` use `match.prefix`.",
          "Not applicable.",
          Values::path);

  public static final AnnotationKey<String> GATEWAY =
      new AnnotationKey<>(
              "gateway",
              "gateway group name (DNS label)",
              "`default`",
              "Which gateway group exposes the port. Setting any gateway key exposes the port.",
              "Only gateways whose node metadata names this group get the route.",
              "Not applicable.",
              Values::dnsLabel)
          .bounded(
              List.of(
                  new Bound<>(
                      "length", 1, DNS_LABEL_LENGTH, n -> "g".repeat((int) n), g -> g.length())));

  private static final List<AnnotationKey<?>> ALL =
      List.of(
          LB_POLICY,
          HASH_ON,
          COOKIE_TTL,
          COOKIE_PATH,
          SOURCE_IP_PREFIX,
          PORT_AFFINITY,
          RING_SIZE,
          MAGLEV_TABLE_SIZE,
          HASH_BALANCE_FACTOR,
          LEAST_REQUEST_CHOICES,
          SESSION_PERSISTENCE,
          PERSISTENCE_TIMEOUT,
          SLOW_START,
          PROTOCOL,
          MAX_CONNECTION_DURATION,
          HEALTH_CHECK,
          OUTLIER_DETECTION,
          CIRCUIT_BREAKERS,
          RETRIES,
          TIMEOUT,
          IDLE_TIMEOUT,
          PANIC_THRESHOLD,
          EXPORT_TO,
          GATEWAY_HOST,
          GATEWAY_PATH,
          GATEWAY);

  private AnnotationRegistry() {}

  /** A duration's limits, from {@code min} to 100 years, in seconds and in milliseconds. */
  private static List<Bound<Duration>> durationBounds(long min) {
    return List.of(
        new Bound<>("seconds", min, Values.MAX_SECONDS, n -> n + "s", Duration::getSeconds),
        new Bound<>(
            "milliseconds", min, Values.MAX_SECONDS * 1000, n -> n + "ms", Duration::toMillis));
  }

  /** A hash key name's length limit, for one kind of hash-on key. */
  private static Bound<List<HashKey>> nameLength(
      String what, String prefix, java.util.function.Function<HashKey, String> name) {
    return new Bound<>(
        what + " length",
        1,
        Values.MAX_NAME_LENGTH,
        n -> prefix + "k".repeat((int) n),
        keys -> name.apply(keys.get(0)).length());
  }

  public static List<AnnotationKey<?>> all() {
    return ALL;
  }

  public static Optional<AnnotationKey<?>> find(String name) {
    return ALL.stream().filter(k -> k.name().equals(name)).findFirst();
  }

  /** The known key closest to an unknown one, for "did you mean" hints. */
  public static AnnotationKey<?> closest(String name) {
    return ALL.stream()
        .min(Comparator.comparingInt(k -> EditDistance.between(k.name(), name)))
        .orElseThrow();
  }
}
