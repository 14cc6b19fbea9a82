package io.fairlead.translators.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.config.accesslog.v3.ExtensionFilter;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.SubstitutionFormatString;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.trace.v3.OpenTelemetryConfig;
import io.envoyproxy.envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.v3.Percent;
import io.fairlead.translators.TranslationSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Access logs and tracing, as the control plane's settings ({@code serve --access-log}, {@code
 * --tracing}) ask: the same for every proxy of a role, so they ride on {@link TranslationSettings}
 * rather than on a Service's policy (which only switches a port's log off).
 */
final class Telemetry {

  static final String STDOUT_LOGGER = "envoy.access_loggers.stdout";

  /** The CEL access-log filter: logs a request only when its expression is true. */
  static final String CEL_FILTER = "envoy.access_loggers.extension_filters.cel";

  /**
   * The filter-metadata key that marks a gateway route of a port with {@code access-log: off}. The
   * value is an empty struct: only the key's presence counts.
   */
  static final String UNLOGGED_ROUTE = "fairlead.access_log_off";

  /**
   * True unless the request's route carries {@link #UNLOGGED_ROUTE}. It cannot fail: a request that
   * matched no route (a 404) has no {@code xds.route_metadata}, which {@code has} answers false
   * instead of an error, and Envoy's CEL filter drops the line of an expression that errs.
   */
  static final String LOGGED_ROUTES_ONLY =
      "!has(xds.route_metadata) || !(\""
          + UNLOGGED_ROUTE
          + "\" in xds.route_metadata.filter_metadata)";

  static final String OTEL_TRACER = "envoy.tracers.opentelemetry";

  /** The collector's cluster; one per proxy, like {@code passthrough}. */
  static final String COLLECTOR_CLUSTER = "fairlead-otlp-collector";

  private static final Duration COLLECTOR_CONNECT_TIMEOUT = Duration.ofSeconds(1);

  private Telemetry() {}

  /** What a connection manager logs and traces. */
  record Http(List<AccessLog> accessLogs, Optional<HttpConnectionManager.Tracing> tracing) {
    static final Http NONE = new Http(List.of(), Optional.empty());
  }

  /**
   * An HTTP connection manager's access log and tracing.
   *
   * @param logged whether this manager's requests are logged (a port's {@code access-log: off} on a
   *     sidecar says no)
   * @param serviceName the name the proxy's spans carry
   */
  static Http http(TranslationSettings settings, boolean logged, String serviceName) {
    List<AccessLog> logs =
        logged && settings.accessLog() != TranslationSettings.AccessLogFormat.OFF
            ? List.of(stdout(settings.accessLog(), HTTP_FIELDS))
            : List.of();
    return new Http(logs, settings.tracing().map(t -> tracing(t, serviceName)));
  }

  /**
   * The gateway's connection manager, which serves every exposed Service: when some routes belong
   * to ports with {@code access-log: off} ({@link #unlogged}), its log skips their requests.
   */
  static Http gateway(
      TranslationSettings settings, boolean someRoutesUnlogged, String serviceName) {
    Http h = http(settings, true, serviceName);
    if (!someRoutesUnlogged) {
      return h;
    }
    ExtensionFilter cel =
        ExtensionFilter.newBuilder()
            .setName(CEL_FILTER)
            .setTypedConfig(
                Any.pack(ExpressionFilter.newBuilder().setExpression(LOGGED_ROUTES_ONLY).build()))
            .build();
    return new Http(
        h.accessLogs().stream()
            .map(l -> l.toBuilder().setFilter(AccessLogFilter.newBuilder().setExtensionFilter(cel)))
            .map(AccessLog.Builder::build)
            .toList(),
        h.tracing());
  }

  /**
   * A gateway route of a port with {@code access-log: off}: marked for the gateway's log filter.
   */
  static Route unlogged(Route route) {
    return route.toBuilder()
        .setMetadata(
            route.getMetadata().toBuilder()
                .putFilterMetadata(UNLOGGED_ROUTE, Struct.getDefaultInstance()))
        .build();
  }

  /** A {@code tcp_proxy}'s access log: one line per connection. */
  static List<AccessLog> tcp(TranslationSettings settings, boolean logged) {
    return logged && settings.accessLog() != TranslationSettings.AccessLogFormat.OFF
        ? List.of(stdout(settings.accessLog(), TCP_FIELDS))
        : List.of();
  }

  /**
   * The fields an auditor needs, by name. {@code client} is the connection manager's client (on a
   * gateway, the peer or the trusted X-Forwarded-For hop), {@code peer} the TCP peer.
   */
  static final Map<String, String> HTTP_FIELDS = fields(true);

  static final Map<String, String> TCP_FIELDS = fields(false);

  private static Map<String, String> fields(boolean http) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("start_time", "%START_TIME%");
    f.put("client", "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%");
    f.put("peer", "%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%");
    if (http) {
      f.put("method", "%REQ(:METHOD)%");
      f.put("authority", "%REQ(:AUTHORITY)%");
      f.put("path", "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%");
      f.put("protocol", "%PROTOCOL%");
      f.put("status", "%RESPONSE_CODE%");
      f.put("grpc_status", "%GRPC_STATUS_NUMBER%");
    }
    f.put("response_flags", "%RESPONSE_FLAGS%");
    f.put("upstream_host", "%UPSTREAM_HOST%");
    f.put("upstream_cluster", "%UPSTREAM_CLUSTER%");
    f.put("bytes_received", "%BYTES_RECEIVED%");
    f.put("bytes_sent", "%BYTES_SENT%");
    f.put("duration_ms", "%DURATION%");
    if (http) {
      f.put("request_duration_ms", "%REQUEST_DURATION%");
      f.put("response_duration_ms", "%RESPONSE_DURATION%");
      f.put("upstream_service_time_ms", "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%");
      f.put("request_id", "%REQ(X-REQUEST-ID)%");
      f.put("traceparent", "%REQ(TRACEPARENT)%");
      f.put("trace_id", "%TRACE_ID%");
    }
    return java.util.Collections.unmodifiableMap(f);
  }

  private static AccessLog stdout(
      TranslationSettings.AccessLogFormat format, Map<String, String> fields) {
    SubstitutionFormatString.Builder f = SubstitutionFormatString.newBuilder();
    if (format == TranslationSettings.AccessLogFormat.JSON) {
      Struct.Builder json = Struct.newBuilder();
      fields.forEach((k, v) -> json.putFields(k, Value.newBuilder().setStringValue(v).build()));
      f.setJsonFormat(json);
    } else {
      // key=value pairs in a fixed order: greppable, and a missing value prints as "-".
      StringBuilder line = new StringBuilder();
      fields.forEach(
          (k, v) ->
              line.append(line.length() == 0 ? "" : " ")
                  .append(k)
                  .append("=\"")
                  .append(v)
                  .append('"'));
      f.setTextFormatSource(DataSource.newBuilder().setInlineString(line.append('\n').toString()));
    }
    return AccessLog.newBuilder()
        .setName(STDOUT_LOGGER)
        .setTypedConfig(Any.pack(StdoutAccessLog.newBuilder().setLogFormat(f).build()))
        .build();
  }

  private static HttpConnectionManager.Tracing tracing(
      TranslationSettings.Tracing t, String serviceName) {
    OpenTelemetryConfig otel =
        OpenTelemetryConfig.newBuilder()
            .setGrpcService(
                GrpcService.newBuilder()
                    .setEnvoyGrpc(
                        GrpcService.EnvoyGrpc.newBuilder().setClusterName(COLLECTOR_CLUSTER)))
            .setServiceName(serviceName)
            .build();
    return HttpConnectionManager.Tracing.newBuilder()
        .setRandomSampling(Percent.newBuilder().setValue(t.samplingPercent()))
        .setProvider(
            io.envoyproxy.envoy.config.trace.v3.Tracing.Http.newBuilder()
                .setName(OTEL_TRACER)
                .setTypedConfig(Any.pack(otel)))
        .build();
  }

  /** The collector's cluster: DNS for a name, STATIC for an address; OTLP/gRPC needs HTTP/2. */
  static Cluster collector(TranslationSettings.Tracing t) {
    return Cluster.newBuilder()
        .setName(COLLECTOR_CLUSTER)
        .setType(t.isAddress() ? Cluster.DiscoveryType.STATIC : Cluster.DiscoveryType.STRICT_DNS)
        .setConnectTimeout(Protos.duration(COLLECTOR_CONNECT_TIMEOUT))
        .setLoadAssignment(
            ClusterLoadAssignment.newBuilder()
                .setClusterName(COLLECTOR_CLUSTER)
                .addEndpoints(
                    LocalityLbEndpoints.newBuilder()
                        .addLbEndpoints(
                            LbEndpoint.newBuilder()
                                .setEndpoint(
                                    Endpoint.newBuilder()
                                        .setAddress(Protos.address(t.host(), t.port()))))))
        .putTypedExtensionProtocolOptions(
            ClusterBuilder.HTTP_PROTOCOL_OPTIONS,
            Any.pack(
                HttpProtocolOptions.newBuilder()
                    .setExplicitHttpConfig(
                        HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                            .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                    .build()))
        .build();
  }
}
