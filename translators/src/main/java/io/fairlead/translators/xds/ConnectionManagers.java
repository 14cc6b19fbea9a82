package io.fairlead.translators.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.type.v3.HashPolicy;
import io.fairlead.policies.HashKey;
import io.fairlead.policies.PortPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Network filters for Envoy listeners: the HTTP connection manager and tcp_proxy. */
final class ConnectionManagers {

  static final String HCM = "envoy.filters.network.http_connection_manager";
  static final String TCP_PROXY = "envoy.filters.network.tcp_proxy";

  private ConnectionManagers() {}

  /**
   * Where the connection manager sits, which decides whose address is the client's.
   *
   * @param xffTrustedHops gateway only: trusted proxies in front that append X-Forwarded-For
   */
  record Position(boolean gateway, int xffTrustedHops) {
    static final Position SIDECAR = new Position(false, 0);

    static Position gateway(int xffTrustedHops) {
      return new Position(true, xffTrustedHops);
    }
  }

  static Filter http(
      String statPrefix,
      String routeName,
      List<HttpFilter> filters,
      Optional<Duration> maxConnectionDuration,
      Position position,
      Telemetry.Http telemetry) {
    HttpConnectionManager.Builder hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix(statPrefix)
            .setCodecType(HttpConnectionManager.CodecType.AUTO)
            .setRds(Rds.newBuilder().setConfigSource(Protos.ads()).setRouteConfigName(routeName))
            .addAllHttpFilters(filters)
            .addUpgradeConfigs(
                HttpConnectionManager.UpgradeConfig.newBuilder().setUpgradeType("websocket"))
            // RFC 8441: HTTP/2 clients may open WebSockets with an extended CONNECT, which Envoy
            // turns into an HTTP/1.1 Upgrade (or back into CONNECT for an HTTP/2 upstream).
            .setHttp2ProtocolOptions(Http2ProtocolOptions.newBuilder().setAllowConnect(true));
    hcm.addAllAccessLog(telemetry.accessLogs());
    telemetry.tracing().ifPresent(hcm::setTracing);
    maxConnectionDuration.ifPresent(
        d ->
            hcm.setCommonHttpProtocolOptions(
                HttpProtocolOptions.newBuilder().setMaxConnectionDuration(Protos.duration(d))));
    if (position.gateway()) {
      // The gateway is the edge: the client is its peer (or the PROXY protocol source), or the
      // X-Forwarded-For entry that trusted balancers in front wrote; never one a client wrote.
      hcm.setUseRemoteAddress(BoolValue.of(true));
      hcm.setXffNumTrustedHops(position.xffTrustedHops());
      // Host: shop.example.com:8080 matches the virtual host shop.example.com.
      hcm.setStripAnyHostPort(true);
    }
    // A sidecar stays transparent (no use_remote_address): X-Forwarded-For, X-Forwarded-Proto and
    // the request id pass as the app sent them; source-ip hashing reads the peer (ClientAddress).
    return Filter.newBuilder().setName(HCM).setTypedConfig(Any.pack(hcm.build())).build();
  }

  static Filter tcp(
      String statPrefix,
      String cluster,
      PortPolicy p,
      List<io.envoyproxy.envoy.config.accesslog.v3.AccessLog> accessLogs,
      java.util.Optional<io.fairlead.translators.model.SplitTargets> split,
      boolean onDemand) {
    TcpProxy.Builder tcp =
        TcpProxy.newBuilder()
            .setStatPrefix(statPrefix)
            .setCluster(cluster)
            .addAllAccessLog(accessLogs);
    // A split picks a backend per connection, at random by weight (tcp_proxy has no hash for it).
    split.ifPresent(s -> tcp.setWeightedClusters(RouteBuilder.tcpWeightedClusters(s)));
    if (p.affinity().hashKeys().stream().anyMatch(k -> k instanceof HashKey.SourceIp)) {
      // tcp_proxy hashes the connection's peer; there is no X-Forwarded-For at L4.
      tcp.addHashPolicy(
          HashPolicy.newBuilder().setSourceIp(HashPolicy.SourceIp.getDefaultInstance()));
    }
    p.timeouts()
        .maxConnectionDuration()
        .ifPresent(d -> tcp.setMaxDownstreamConnectionDuration(Protos.duration(d)));
    // Envoy's own default is 1h as well; set, so that the annotation and the output agree.
    p.timeouts().idle().ifPresent(d -> tcp.setIdleTimeout(Protos.duration(d)));
    if (onDemand) {
      tcp.setOnDemand(OnDemand.tcp());
    }
    return Filter.newBuilder().setName(TCP_PROXY).setTypedConfig(Any.pack(tcp.build())).build();
  }

  /** The capture listener's fall-through: unknown destinations pass untouched. */
  static Filter passthrough(String statPrefix, String cluster, boolean onDemand) {
    TcpProxy.Builder tcp = TcpProxy.newBuilder().setStatPrefix(statPrefix).setCluster(cluster);
    if (onDemand) {
      // An on-demand sidecar has no wildcard CDS: even the passthrough cluster comes on demand.
      tcp.setOnDemand(OnDemand.tcp());
    }
    return Filter.newBuilder().setName(TCP_PROXY).setTypedConfig(Any.pack(tcp.build())).build();
  }
}
