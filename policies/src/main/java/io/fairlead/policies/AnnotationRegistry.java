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
          "`round-robin` | `least-request` | `random` | `ring-hash` | `maglev` | `weighted-round-robin`",
          "round-robin; ring-hash when hash keys or ClientIP affinity are asked for",
          "The balancing algorithm, applied to every request or stream, not once per connection. `weighted-round-robin` weighs each endpoint by the load it reports itself (ORCA): a busy pod gets less traffic (tuning: `weighted-round-robin`); HTTP-family ports only (a tcp port gets round-robin, with a warning), and neither hash-on nor slow-start combine with it.",
          "Typed `load_balancing_policy` (round_robin, least_request, random, ring_hash, maglev, client_side_weighted_round_robin; see [client-side-wrr](envoy-semantics.md#client-side-wrr)).",
          "maglev becomes ring_hash (gRPC rejects MAGLEV); least-request becomes round-robin for grpc-node; random becomes round-robin. weighted-round-robin is sent to grpc-java as a typed `wrr_locality` policy around `client_side_weighted_round_robin`, with `round_robin` as fallback (see [grpc-wrr](envoy-semantics.md#grpc-wrr)); grpc-node gets round-robin (a warning).",
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

  public static final AnnotationKey<SlowStart> SLOW_START =
      new AnnotationKey<>(
              "slow-start",
              "duration, then optionally `,aggression=F` (greater than 0, at most 100) and `,min-weight=PCT` (0 to 100)",
              "unset; aggression=1 (linear), min-weight=10 when enabled",
              "New endpoints ramp up their share of traffic over this window. Their weight is the window's elapsed share raised to 1/aggression, never below min-weight percent: aggression above 1 ramps up faster at first, below 1 slower. round-robin and least-request only.",
              "`slow_start_config` of the typed policy: `slow_start_window`, `aggression` and `min_weight_percent` (see [slow-start](envoy-semantics.md#slow-start) and [slow-start-curve](envoy-semantics.md#slow-start-curve)).",
              "Not sent: gRPC has no slow start.",
              SettingParsers::slowStart)
          .bounded(
              List.of(
                  new Bound<>(
                      "window seconds",
                      1,
                      Values.MAX_SECONDS,
                      n -> n + "s",
                      v -> v.window().getSeconds()),
                  new Bound<>(
                      "window milliseconds",
                      1,
                      Values.MAX_SECONDS * 1000,
                      n -> n + "ms",
                      v -> v.window().toMillis()),
                  new Bound<>(
                      "min-weight",
                      0,
                      100,
                      n -> "10s,min-weight=" + n,
                      v -> v.minWeightPercent().orElseThrow())));

  public static final AnnotationKey<WrrTuning> WEIGHTED_ROUND_ROBIN =
      new AnnotationKey<>(
              "weighted-round-robin",
              "`blackout-period=D,weight-expiration-period=D,weight-update-period=D,error-utilization-penalty=F,utilization-metrics=NAME|NAME` (any subset); NAME is `named_metrics.KEY`, `utilization.KEY`, `cpu_utilization`, `mem_utilization` or `application_utilization`",
              "unset; blackout-period=10s, weight-expiration-period=3m, weight-update-period=1s (the clients' defaults), error-utilization-penalty=1.0, no metrics (application utilization, else CPU)",
              "Tuning of `lb-policy: weighted-round-robin`. An endpoint's weight is `qps / (utilization + eps / qps × error-utilization-penalty)` from the ORCA load report it attaches to its responses, so backends must report per request (grpc-java: `OrcaMetricReportingServerInterceptor` and `CallMetricRecorder`), with qps (`rps_fractional`) set: a report without qps gives no weight. An endpoint's weight is used once it has reported for `blackout-period` and until it has not reported for `weight-expiration-period`; until then it gets the others' median (Envoy) or mean (gRPC) weight. Weights are recomputed every `weight-update-period` (at least 100ms). `utilization-metrics` name the ORCA metrics whose maximum is the utilization; Envoy prefers application utilization to them, gRPC prefers them to it. Endpoint weights from EDS are ignored under this policy.",
              "`client_side_weighted_round_robin` fields `blackout_period`, `weight_expiration_period`, `weight_update_period` and `metric_names_for_computing_utilization` when written; `error_utilization_penalty` always, 1.0 unless written, because Envoy reads an unset penalty as 0 (see [client-side-wrr](envoy-semantics.md#client-side-wrr)).",
              "Sent to grpc-java in the same message, inside `wrr_locality` (see [grpc-wrr](envoy-semantics.md#grpc-wrr)); not sent to grpc-node, which gets round-robin.",
              SettingParsers::weightedRoundRobin)
          .bounded(
              List.of(
                  new Bound<>(
                      "blackout-period seconds",
                      0,
                      Values.MAX_SECONDS,
                      n -> "blackout-period=" + n + "s",
                      t -> t.blackoutPeriod().orElseThrow().getSeconds()),
                  new Bound<>(
                      "weight-expiration-period seconds",
                      1,
                      Values.MAX_SECONDS,
                      n -> "weight-expiration-period=" + n + "s",
                      t -> t.weightExpirationPeriod().orElseThrow().getSeconds()),
                  new Bound<>(
                      "weight-update-period milliseconds",
                      WrrTuning.MIN_UPDATE_PERIOD.toMillis(),
                      Values.MAX_SECONDS * 1000,
                      n -> "weight-update-period=" + n + "ms",
                      t -> t.weightUpdatePeriod().orElseThrow().toMillis()),
                  new Bound<>(
                      "error-utilization-penalty",
                      0,
                      WrrTuning.MAX_ERROR_PENALTY,
                      n -> "error-utilization-penalty=" + n,
                      t -> (long) t.errorUtilizationPenalty().orElseThrow().doubleValue()),
                  new Bound<>(
                      "metric key length",
                      1,
                      Values.MAX_NAME_LENGTH,
                      n -> "utilization-metrics=named_metrics." + "k".repeat((int) n),
                      t -> t.utilizationMetrics().get(0).length() - "named_metrics.".length()),
                  new Bound<>(
                      "metric count",
                      1,
                      WrrTuning.MAX_METRICS,
                      n ->
                          "utilization-metrics="
                              + String.join(
                                  "|",
                                  java.util.stream.LongStream.rangeClosed(1, n)
                                      .mapToObj(i -> "named_metrics.m" + i)
                                      .toList()),
                      t -> t.utilizationMetrics().size())));

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
              "`http:/PATH` | `grpc` | `tcp`, then `,interval=D,timeout=D,unhealthy=N,healthy=N,host=NAME`; http also `,method=M,expected=CODE|FROM-TO`",
              "unset; interval=10s, timeout=1s, unhealthy=3, healthy=1, host = the Service's DNS name, method=GET, expected=200 when enabled",
              "Active health checking of the endpoints, with `Host` (or gRPC `:authority`) set to the Service's DNS name unless `host=` names another. HTTP checks send `method` (GET, HEAD, POST, PUT, DELETE, OPTIONS, TRACE or PATCH) and pass on the `expected` statuses (codes or inclusive ranges from 100 to 599, e.g. `200-299|304`), which replace the default 200: list 200 too if it should pass. On http2 and grpc ports HTTP checks speak HTTP/2. `grpc` needs an http2 or grpc port (Envoy checks gRPC health over HTTP/2 only). An endpoint Kubernetes removes leaves at once, even while it passes checks. A terminating endpoint that fails its check also loses its sticky sessions.",
              "Cluster `health_checks` with `host` / `authority` (see [hc-host](envoy-semantics.md#hc-host)), `method` and `expected_statuses` (see [hc-statuses](envoy-semantics.md#hc-statuses)), `codec_client_type: HTTP2` on HTTP/2 ports (see [hc-codec](envoy-semantics.md#hc-codec)), and `ignore_health_on_host_removal` (see [hc-removal](envoy-semantics.md#hc-removal)); a failed check ends sessions (see [hc-ends-sessions](envoy-semantics.md#hc-ends-sessions)).",
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
              "`default`, or any subset of `consecutive-5xx=N,interval=D,base-ejection-time=D,max-ejection-percent=N,gateway-failure=N,local-origin=N,success-rate=PCT,failure-percentage=PCT,failure-percentage-enforcing=PCT,min-hosts=N,request-volume=N`",
              "unset; consecutive-5xx=5, interval=10s, base-ejection-time=30s, max-ejection-percent=50 when enabled; success-rate ejection on at 100% (Envoy's default), failure-percentage off",
              "Passive ejection of endpoints that keep failing. At most max-ejection-percent of the endpoints are out at once; below 100/N percent none of N endpoints can be ejected, hence the 50% default. An ejected endpoint also loses its sticky sessions. Modes: `consecutive-5xx` (always on); `gateway-failure=N` ejects after N consecutive 502, 503 or 504; `local-origin=N` counts connect failures, resets and timeouts apart from HTTP statuses and ejects after N of them; `success-rate=PCT` is how often an endpoint whose success rate is far below the others' is ejected (on at 100% unless `success-rate=0`); `failure-percentage=PCT` ejects an endpoint whose failed share of requests is above PCT (enforced at `failure-percentage-enforcing`, default 100). The two statistical modes judge only endpoints with `request-volume` requests in an interval, and only when `min-hosts` endpoints have that many (defaults 5 endpoints; 100 requests for success rate, 50 for failure percentage).",
              "Cluster `outlier_detection` (see [outlier-ejection](envoy-semantics.md#outlier-ejection)); `consecutive_gateway_failure` with `enforcing_consecutive_gateway_failure: 100`, `split_external_local_origin_errors` with `consecutive_local_origin_failure`, `enforcing_success_rate`, `failure_percentage_threshold` with `enforcing_failure_percentage`, and both modes' `minimum_hosts` and `request_volume` (see [outlier-modes](envoy-semantics.md#outlier-modes)).",
              "Sent only when `failure-percentage`, or a non-zero `success-rate`, is given: gRPC implements those two modes (gRFC A50) with interval, base-ejection-time and max-ejection-percent; consecutive-5xx, gateway-failure and local-origin are not sent (warning). The success-rate `request-volume` is not sent either: grpc-java reads that field's value from the minimum-hosts field. Otherwise not sent: gRPC implements no consecutive-5xx ejection.",
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

  public static final AnnotationKey<ConnectionPool> CONNECTION_POOL =
      new AnnotationKey<>(
              "connection-pool",
              "`idle-timeout=D,max-requests-per-connection=N,max-concurrent-streams=N` (any subset)",
              "Envoy's: idle-timeout=1h, unlimited requests per connection, 2147483647 streams",
              "The proxy's connections to the endpoints. `idle-timeout` closes a connection that has carried no request for that long (`0s` = never). `max-requests-per-connection` drains a connection after N requests, so long-lived clients spread over pods added since. `max-concurrent-streams` (http2 and grpc ports only; a warning elsewhere) opens another connection to an endpoint past N concurrent streams. HTTP-family ports only.",
              "Cluster `typed_extension_protocol_options` `envoy.extensions.upstreams.http.v3.HttpProtocolOptions`: `common_http_protocol_options.idle_timeout` and `max_requests_per_connection`, `http2_protocol_options.max_concurrent_streams` (see [conn-pool](envoy-semantics.md#conn-pool)).",
              "Not sent: gRPC clients keep one connection per endpoint and read none of these.",
              SettingParsers::connectionPool)
          .bounded(
              List.of(
                  new Bound<>(
                      "idle-timeout seconds",
                      0,
                      Values.MAX_SECONDS,
                      n -> "idle-timeout=" + n + "s",
                      c -> c.idleTimeout().orElseThrow().getSeconds()),
                  new Bound<>(
                      "max-requests-per-connection",
                      1,
                      Integer.MAX_VALUE,
                      n -> "max-requests-per-connection=" + n,
                      c -> c.maxRequestsPerConnection().orElseThrow()),
                  new Bound<>(
                      "max-concurrent-streams",
                      1,
                      Integer.MAX_VALUE,
                      n -> "max-concurrent-streams=" + n,
                      c -> c.maxConcurrentStreams().orElseThrow())));

  public static final AnnotationKey<RetryPolicy> RETRIES =
      new AnnotationKey<>(
              "retries",
              "`attempts=N,on=COND|COND,per-try-timeout=D,backoff=BASE[-MAX],status=CODE|CODE,retry-host=other|any` (any subset)",
              "unset; attempts=1, on=5xx|reset|connect-failure, backoff 25ms-250ms, retry-host=other when enabled",
              "Route retries. Conditions: 5xx, gateway-error, reset, reset-before-request, connect-failure, retriable-4xx, refused-stream, and the gRPC statuses cancelled, deadline-exceeded, internal, resource-exhausted, unavailable. `status=` retries these HTTP statuses too (100 to 599). `backoff=` waits a jittered, exponentially growing interval between attempts, from BASE (at least 1ms) up to MAX (default 10 × BASE). `retry-host=other` (the default) sends each retry to an endpoint not tried before, also when the key hashes to the failed one; `any` lets a retry pick the same endpoint again. HTTP-family ports only.",
              "Route `retry_policy`: `retry_on`, `num_retries`, `per_try_timeout`, `retry_back_off` (see [retry-backoff](envoy-semantics.md#retry-backoff)), `retriable_status_codes` with the `retriable-status-codes` condition (see [retry-status-codes](envoy-semantics.md#retry-status-codes)), and unless `retry-host=any` the `previous_hosts` predicate with `host_selection_retry_max_attempts: 5` (see [retry-previous-hosts](envoy-semantics.md#retry-previous-hosts)).",
              "gRPC statuses are sent as they are; HTTP conditions become `unavailable`; `backoff` is sent (gRPC reads `retry_back_off`, gRFC A44); per-try-timeout and `status=` are dropped with a warning. gRPC has no retry host predicate, so a retry may pick the same endpoint (`retry-host=other` written out is a warning).",
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

  public static final AnnotationKey<List<String>> FAILOVER =
      new AnnotationKey<>(
          "failover",
          "comma list of zone names (`topology.kubernetes.io/zone` values), in order",
          "unset (no zone order; see `trafficDistribution: PreferClose`)",
          "Locality failover order. A proxy sends every request to ready endpoints of its own zone (its node metadata's zone) while it has one, then to the first listed zone that has one, then the next, and last to every zone not listed. A proxy of unknown zone starts with the first listed zone. Replaces PreferClose's two-step order when both are set.",
          "EDS priorities: the proxy's zone at priority 0, each listed zone at the next priority that has endpoints, unlisted zones last; `overprovisioning_factor` = 100 × the largest priority's endpoint count, so a priority keeps all traffic while one of its endpoints is healthy (see [failover-priorities](envoy-semantics.md#failover-priorities)).",
          "Sent as the same priorities: gRPC moves to the next priority when one has no READY endpoint (after 10 s of connecting, or at once on TRANSIENT_FAILURE; see [grpc-priorities](envoy-semantics.md#grpc-priorities)). A zone without a ready endpoint is left out, and the priorities stay contiguous.",
          SettingParsers::zones);

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

  public static final AnnotationKey<RateLimit> RATE_LIMIT =
      new AnnotationKey<>(
              "rate-limit",
              "`N/s` or `N/m`, optionally followed by `burst M` (M at least N), e.g. `2000/s burst 4000`",
              "unset (no limit)",
              "A token bucket for the port's requests on **each proxy**: N requests per second or minute, and up to M at once after a quiet spell (M defaults to N). Requests above it are answered 429 (gRPC: RESOURCE_EXHAUSTED) with `x-ratelimit-limit`, `-remaining` and `-reset` headers, without reaching a pod. Each sidecar and each gateway replica has its own bucket, so N client pods allow N times the limit, and a gateway fleet of R replicas R times it (see [local-rate-limit](envoy-semantics.md#local-rate-limit)). HTTP-family ports only.",
              "Local rate limit filter (`envoy.filters.http.local_ratelimit`), enabled per route by `typed_per_filter_config` with the bucket (`token_bucket`), `filter_enabled` and `filter_enforced` at 100% and `enable_x_ratelimit_headers: DRAFT_VERSION_03` (see [local-rate-limit](envoy-semantics.md#local-rate-limit)).",
              "Not sent: gRPC clients have no local rate limiter; a warning says so.",
              SettingParsers::rateLimit)
          .bounded(
              List.of(
                  new Bound<>("requests", 1, RateLimit.MAX, n -> n + "/s", RateLimit::requests)));

  public static final AnnotationKey<RateLimit> RATE_LIMIT_PER_CLIENT =
      new AnnotationKey<>(
              "rate-limit-per-client",
              "as `rate-limit`: `N/s` or `N/m`, optionally `burst M`",
              "unset (no limit)",
              "A token bucket per client IP address on **each gateway replica**, against abuse: the client is the gateway's peer, or the address trusted balancers wrote in X-Forwarded-For (`xff-trusted-hops`), never one a client wrote. Each replica counts on its own, so a client spread over R replicas gets up to R times the limit. Each replica tracks the 10,000 most recently seen clients; a client evicted from that set starts again with a full bucket (see [local-rate-limit-per-client](envoy-semantics.md#local-rate-limit-per-client)). Applies to ports exposed on a gateway; sidecars do not apply it (every client of a sidecar is its own pod: use `rate-limit`). HTTP-family ports only.",
              "Gateway: the route's local rate limit config gets a wildcard descriptor `remote_address` with its own bucket, `max_dynamic_descriptors: 10000`, and the `remote_address` action in its `rate_limits`; with `rate-limit` too, both buckets must have a token (see [local-rate-limit-per-client](envoy-semantics.md#local-rate-limit-per-client)). Sidecar: not applied.",
              "Not applicable: proxyless clients have no gateway.",
              SettingParsers::rateLimit)
          .bounded(
              List.of(
                  new Bound<>("requests", 1, RateLimit.MAX, n -> n + "/s", RateLimit::requests)));

  public static final AnnotationKey<AccessLog> ACCESS_LOG =
      new AnnotationKey<>(
          "access-log",
          "`on` | `off`",
          "on: the control plane's format (`serve --access-log`, default json)",
          "Whether proxies write an access log line for the port's requests (HTTP) or connections (TCP), in the format the control plane was started with. `off` on the Service with `on` on one port (`fairlead.io/access-log.PORTNAME`) logs that port only. Gateways log every exposed Service in one log, which skips the requests routed to an `off` port.",
          "Sidecar: no `access_log` on the port's connection manager or `tcp_proxy`. Gateway: the port's routes carry the filter metadata `fairlead.access_log_off`, and the gateway's access log gets a CEL filter that drops their requests (see [access-log](envoy-semantics.md#access-log)).",
          "Not applicable: proxyless clients write no access log.",
          SettingParsers::accessLog);

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

  public static final AnnotationKey<TrafficSplit> SPLIT =
      new AnnotationKey<>(
              "split",
              "comma list of `SERVICE=WEIGHT`: Services of the same namespace (the root itself allowed), weights 0 to 10000, not all 0, each Service once, at most 16",
              "unset (the root Service's own endpoints)",
              "Canary and weighted split, as an SMI TrafficSplit: clients keep dialling this (root) Service, and its requests go to the named Services in proportion to their weights. Each backend's port is the one with the root port's name, else its number; a backend that is missing, lacks the port, speaks another protocol family (HTTP or tcp) than the root port, or is exported to fewer namespaces than the root is left out with an error (with none left, the root's own endpoints serve). When the root hashes (`hash-on`), one key always picks the same backend on Envoy, and changing the weights moves only the share of keys that must move (see [split-stickiness](envoy-semantics.md#split-stickiness)); gRPC clients pick per RPC. On tcp ports each connection picks a backend at random by weight, and split-match does not apply.",
              "Route `weighted_clusters` over the backends' clusters (`NAMESPACE/SERVICE:PORT`), weights scaled to a total of 10000, Services sorted by name; `use_hash_policy` with the route's hash policy when the root hashes (see [split-weights](envoy-semantics.md#split-weights) and [split-stickiness](envoy-semantics.md#split-stickiness)). Gateways get the backends' clusters with the root's route. tcp ports: `tcp_proxy.weighted_clusters`, picked per connection (see [split-tcp](envoy-semantics.md#split-tcp)).",
              "Sent as `weighted_clusters` (grpc-java and grpc-node pick a cluster per RPC, at random by weight); `use_hash_policy` is not sent, and with hash keys a warning says a key can see both versions (see [split-grpc](envoy-semantics.md#split-grpc)).",
              SettingParsers::split)
          .bounded(
              List.of(
                  new Bound<>(
                      "weight",
                      0,
                      TrafficSplit.MAX_WEIGHT,
                      n -> "a=" + n + ",b=1",
                      t -> t.backends().get(0).weight())));

  public static final AnnotationKey<List<TrafficSplit.Match>> SPLIT_MATCH =
      new AnnotationKey<>(
          "split-match",
          "rules separated by `;`, each `header:NAME=VALUE->SERVICE` (exact value) or `header:NAME->SERVICE` (header present); `→` may stand for `->`",
          "unset",
          "Requests matching a rule go to its Service before the split applies, e.g. `header:x-canary=always->cart-v2`; the first matching rule wins. The Service resolves as a split backend does; one that cannot is left out with an error. Needs `split` on the port.",
          "One route per rule before the split route, with a `headers` matcher (`string_match.exact` or `present_match`) and the same hash, retry and timeout settings.",
          "Sent: gRPC matches request metadata with the same header matchers (gRFC A28).",
          SettingParsers::splitMatch);

  /** The largest Pod weight: Envoy sums a host set's weights in 32 bits, so stay far below. */
  public static final int MAX_POD_WEIGHT = 10_000;

  /**
   * A Pod annotation, not a Service one: the weight of every endpoint of the Pod, in every Service
   * that selects it.
   */
  public static final AnnotationKey<Integer> POD_WEIGHT =
      new AnnotationKey<>(
              "weight",
              "integer, 1 to " + MAX_POD_WEIGHT,
              "1",
              "On a **Pod**: the Pod's share of its Services' traffic relative to the other Pods (IPVS `wlc` weights): a Pod of weight 3 takes three times the requests of a Pod of weight 1. Honoured by round-robin, least-request and the hashing policies (ring-hash, maglev), for every Service that selects the Pod. A weight that does not parse is an error diagnostic naming the Pod, and the Pod counts as 1. When no Pod of a Service has a weight, nothing changes for it.",
              "Endpoint `load_balancing_weight`, set on every endpoint of a port once one of its Pods has a weight (the others get 1); the locality's `load_balancing_weight` is the sum of its ready endpoints' weights (see [endpoint-weight](envoy-semantics.md#endpoint-weight)). `lb-policy: random` ignores endpoint weights (a warning says so).",
              "Sent with ring-hash (grpc-java and grpc-node place an endpoint on the ring in proportion to its weight times its locality's weight). round-robin and least-request ignore endpoint weights in gRPC: the weights are not sent and a warning says so.",
              v -> Values.integer(v, 1, MAX_POD_WEIGHT).map(Long::intValue))
          .bounded(
              List.of(new Bound<>("weight", 1, MAX_POD_WEIGHT, n -> Long.toString(n), v -> v)));

  /**
   * A Pod annotation read by the Pod's sidecar bootstrap (through the downward API), not by the
   * control plane's watch: the Services the workload calls.
   */
  public static final AnnotationKey<Dependencies> POD_DEPENDENCIES =
      new AnnotationKey<>(
          "dependencies",
          "comma list of `NAME` (a Service of the Pod's own namespace), `NAMESPACE/NAME` and `NAMESPACE/*`, at most "
              + Dependencies.MAX_ENTRIES,
          "unset (every Service the sidecar may see)",
          "On a **Pod** with a sidecar: the Services its workload calls. The sidecar is then sent only those Services (and the backends their `split` names), so its config grows with what it uses, not with the mesh. It only narrows: `fairlead bootstrap --visible-namespaces`, `export-to` and the proxy's identity still apply. The sidecar's bootstrap reads it (`fairlead bootstrap --dependencies`, from the annotation through the downward API) into its node metadata, so changing it needs a restart of the Pod. A bad entry is an error diagnostic on the sidecar's group and is left out; the others apply, and a list of only bad entries gives the sidecar no Service rather than every Service. Sidecars with the same list share one snapshot.",
          "Clusters, endpoints, listeners and routes only for the declared Services; a split root declared brings its backends' clusters and endpoints even when they are not declared (see [dependencies](envoy-semantics.md#dependencies)).",
          "Not read: proxyless clients already ask for the names they use.",
          v -> {
            Dependencies d = Dependencies.parse(v);
            return d.rejected().isEmpty()
                ? ParseResult.ok(d)
                : ParseResult.err(
                    "'" + d.rejected().get(0).entry() + "': " + d.rejected().get(0).reason());
          });

  /** Keys read from Pods; listed apart so that no Service key suggests them. */
  private static final List<AnnotationKey<?>> POD_KEYS = List.of(POD_WEIGHT, POD_DEPENDENCIES);

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
          WEIGHTED_ROUND_ROBIN,
          PROTOCOL,
          MAX_CONNECTION_DURATION,
          HEALTH_CHECK,
          OUTLIER_DETECTION,
          CIRCUIT_BREAKERS,
          CONNECTION_POOL,
          RETRIES,
          TIMEOUT,
          IDLE_TIMEOUT,
          PANIC_THRESHOLD,
          FAILOVER,
          RATE_LIMIT,
          RATE_LIMIT_PER_CLIENT,
          ACCESS_LOG,
          EXPORT_TO,
          GATEWAY_HOST,
          GATEWAY_PATH,
          GATEWAY,
          SPLIT,
          SPLIT_MATCH);

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

  /** The keys read from Pods, not Services ({@code fairlead.io/weight}). */
  public static List<AnnotationKey<?>> podKeys() {
    return POD_KEYS;
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
