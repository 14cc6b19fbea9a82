package io.fairlead.translators.xds;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.core.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.fairlead.policies.HashKey;
import io.fairlead.policies.PortPolicy;
import io.envoyproxy.envoy.type.v3.HashPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Network filters for Envoy listeners: the HTTP connection manager and tcp_proxy. */
final class ConnectionManagers {

  static final String HCM = "envoy.filters.network.http_connection_manager";
  static final String TCP_PROXY = "envoy.filters.network.tcp_proxy";

  private ConnectionManagers() {}

  static Filter http(
      String statPrefix,
      String routeName,
      List<HttpFilter> filters,
      Optional<Duration> maxConnectionDuration,
      boolean edge) {
    HttpConnectionManager.Builder hcm =
        HttpConnectionManager.newBuilder()
            .setStatPrefix(statPrefix)
            .setCodecType(HttpConnectionManager.CodecType.AUTO)
            .setRds(Rds.newBuilder().setConfigSource(Protos.ads()).setRouteConfigName(routeName))
            .addAllHttpFilters(filters)
            .addUpgradeConfigs(HttpConnectionManager.UpgradeConfig.newBuilder().setUpgradeType("websocket"));
    maxConnectionDuration.ifPresent(
        d ->
            hcm.setCommonHttpProtocolOptions(
                HttpProtocolOptions.newBuilder().setMaxConnectionDuration(Protos.duration(d))));
    if (edge) {
      // A gateway is the edge: the client address is the peer's, and x-forwarded-for is not trusted.
      hcm.setUseRemoteAddress(BoolValue.of(true));
    }
    return Filter.newBuilder().setName(HCM).setTypedConfig(Any.pack(hcm.build())).build();
  }

  static Filter tcp(String statPrefix, String cluster, PortPolicy p) {
    return tcp(
        statPrefix,
        cluster,
        p.hashKeys().stream().anyMatch(k -> k instanceof HashKey.SourceIp),
        p.maxConnectionDuration());
  }

  static Filter tcp(String statPrefix, String cluster, boolean hashSourceIp, Optional<Duration> maxDuration) {
    TcpProxy.Builder tcp = TcpProxy.newBuilder().setStatPrefix(statPrefix).setCluster(cluster);
    if (hashSourceIp) {
      tcp.addHashPolicy(HashPolicy.newBuilder().setSourceIp(HashPolicy.SourceIp.getDefaultInstance()));
    }
    maxDuration.ifPresent(d -> tcp.setMaxDownstreamConnectionDuration(Protos.duration(d)));
    return Filter.newBuilder().setName(TCP_PROXY).setTypedConfig(Any.pack(tcp.build())).build();
  }
}
