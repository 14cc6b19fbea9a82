package io.fairlead.bootstrap;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.bootstrap.v3.Admin;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.GrpcService;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.KeepaliveSettings;
import io.envoyproxy.envoy.config.core.v3.Locality;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.overload.v3.OverloadAction;
import io.envoyproxy.envoy.config.overload.v3.OverloadManager;
import io.envoyproxy.envoy.config.overload.v3.ResourceMonitor;
import io.envoyproxy.envoy.config.overload.v3.ThresholdTrigger;
import io.envoyproxy.envoy.config.overload.v3.Trigger;
import io.envoyproxy.envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig;
import io.envoyproxy.envoy.extensions.resource_monitors.fixed_heap.v3.FixedHeapConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.fairlead.translators.ProxyRole;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Builds the static Envoy bootstrap that points a sidecar or gateway at the Fairlead xDS server.
 */
public final class BootstrapGenerator {

  /**
   * Name of the static cluster that carries ADS; the translators never emit a cluster by this name.
   */
  public static final String XDS_CLUSTER = "fairlead-xds";

  static final String HTTP_PROTOCOL_OPTIONS_KEY =
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
  static final String TLS_TRANSPORT_SOCKET = "envoy.transport_sockets.tls";
  static final String DOWNSTREAM_CONNECTIONS_MONITOR =
      "envoy.resource_monitors.global_downstream_max_connections";
  static final String FIXED_HEAP_MONITOR = "envoy.resource_monitors.fixed_heap";
  static final String SHRINK_HEAP_ACTION = "envoy.overload_actions.shrink_heap";
  static final String STOP_ACCEPTING_REQUESTS_ACTION =
      "envoy.overload_actions.stop_accepting_requests";

  static final long MAX_DOWNSTREAM_CONNECTIONS = 50_000;
  static final long SIDECAR_MAX_HEAP_BYTES = 256L << 20;
  static final long GATEWAY_MAX_HEAP_BYTES = 1L << 30;
  static final double SHRINK_HEAP_THRESHOLD = 0.95;
  static final double STOP_ACCEPTING_REQUESTS_THRESHOLD = 0.98;

  private BootstrapGenerator() {}

  public static Bootstrap generate(BootstrapParams params) {
    return Bootstrap.newBuilder()
        .setNode(node(params))
        .setDynamicResources(dynamicResources(params.onDemand()))
        .setStaticResources(Bootstrap.StaticResources.newBuilder().addClusters(xdsCluster(params)))
        .setAdmin(Admin.newBuilder().setAddress(socketAddress("127.0.0.1", params.adminPort())))
        .setOverloadManager(overloadManager(params.role()))
        .build();
  }

  private static Node node(BootstrapParams params) {
    Node.Builder node =
        Node.newBuilder()
            .setId(params.nodeId())
            .setCluster(params.cluster())
            .setMetadata(metadata(params));
    params.zone().ifPresent(zone -> node.setLocality(Locality.newBuilder().setZone(zone)));
    return node.build();
  }

  private static Struct metadata(BootstrapParams params) {
    Map<String, Optional<String>> values = new TreeMap<>();
    values.put(NodeMetadataKeys.ROLE, Optional.of(params.role().label()));
    values.put(NodeMetadataKeys.NAMESPACE, params.namespace());
    values.put(NodeMetadataKeys.POD, params.pod());
    values.put(NodeMetadataKeys.NODE, params.node());
    values.put(NodeMetadataKeys.ZONE, params.zone());
    values.put(NodeMetadataKeys.GATEWAY, params.gatewayGroup());
    values.put(NodeMetadataKeys.GATEWAY_PORT, params.gatewayPort().map(String::valueOf));
    values.put(NodeMetadataKeys.VISIBLE_NAMESPACES, params.visibleNamespaces());
    values.put(NodeMetadataKeys.DEPENDENCIES, params.dependencies());
    values.put(
        NodeMetadataKeys.ON_DEMAND, params.onDemand() ? Optional.of("true") : Optional.empty());
    values.put(NodeMetadataKeys.XFF_TRUSTED_HOPS, params.xffTrustedHops().map(String::valueOf));
    values.put(
        NodeMetadataKeys.PROXY_PROTOCOL,
        params.proxyProtocol() ? Optional.of("true") : Optional.empty());
    values.put(
        NodeMetadataKeys.SESSION_COOKIE_WALL_CLOCK,
        params.sessionCookieWallClock() ? Optional.of("true") : Optional.empty());
    Struct.Builder struct = Struct.newBuilder();
    values.forEach(
        (key, value) ->
            value.ifPresent(
                v -> struct.putFields(key, Value.newBuilder().setStringValue(v).build())));
    return struct.build();
  }

  /**
   * ADS over delta gRPC for every type. An on-demand sidecar has no {@code cds_config}: Envoy then
   * makes no CDS subscription at all (no wildcard), and its on-demand filters subscribe to each
   * cluster by name on the same ADS stream, which needs delta xDS (envoy-semantics.md,
   * on-demand-bootstrap).
   */
  private static Bootstrap.DynamicResources dynamicResources(boolean onDemand) {
    ConfigSource viaAds =
        ConfigSource.newBuilder()
            .setAds(AggregatedConfigSource.getDefaultInstance())
            .setResourceApiVersion(ApiVersion.V3)
            .build();
    Bootstrap.DynamicResources.Builder resources =
        Bootstrap.DynamicResources.newBuilder()
            .setAdsConfig(
                ApiConfigSource.newBuilder()
                    .setApiType(ApiConfigSource.ApiType.DELTA_GRPC)
                    .setTransportApiVersion(ApiVersion.V3)
                    .addGrpcServices(
                        GrpcService.newBuilder()
                            .setEnvoyGrpc(
                                GrpcService.EnvoyGrpc.newBuilder().setClusterName(XDS_CLUSTER)))
                    .setSetNodeOnFirstMessageOnly(true))
            .setLdsConfig(viaAds);
    if (!onDemand) {
      resources.setCdsConfig(viaAds);
    }
    return resources.build();
  }

  private static Cluster xdsCluster(BootstrapParams params) {
    XdsAddress xds = params.xds();
    Cluster.Builder cluster =
        Cluster.newBuilder()
            .setName(XDS_CLUSTER)
            // An IP literal needs no resolver; a name is re-resolved so a moved Service is
            // followed.
            .setType(
                xds.isIpLiteral() ? Cluster.DiscoveryType.STATIC : Cluster.DiscoveryType.STRICT_DNS)
            .setConnectTimeout(seconds(5))
            .setLoadAssignment(
                ClusterLoadAssignment.newBuilder()
                    .setClusterName(XDS_CLUSTER)
                    .addEndpoints(
                        LocalityLbEndpoints.newBuilder()
                            .addLbEndpoints(
                                LbEndpoint.newBuilder()
                                    .setEndpoint(
                                        Endpoint.newBuilder()
                                            .setAddress(socketAddress(xds.host(), xds.port()))))))
            .putTypedExtensionProtocolOptions(
                HTTP_PROTOCOL_OPTIONS_KEY, Any.pack(http2WithKeepalive()));
    params
        .tls()
        .ifPresent(
            tls ->
                cluster.setTransportSocket(
                    TransportSocket.newBuilder()
                        .setName(TLS_TRANSPORT_SOCKET)
                        .setTypedConfig(Any.pack(upstreamTls(tls, xds)))));
    return cluster.build();
  }

  private static HttpProtocolOptions http2WithKeepalive() {
    // Pings detect a dead xDS connection behind a NAT or load balancer long before TCP would.
    return HttpProtocolOptions.newBuilder()
        .setExplicitHttpConfig(
            HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                .setHttp2ProtocolOptions(
                    Http2ProtocolOptions.newBuilder()
                        .setConnectionKeepalive(
                            KeepaliveSettings.newBuilder()
                                .setInterval(seconds(30))
                                .setTimeout(seconds(5)))))
        .build();
  }

  private static UpstreamTlsContext upstreamTls(TlsFiles tls, XdsAddress xds) {
    CommonTlsContext common =
        CommonTlsContext.newBuilder()
            .addTlsCertificates(
                TlsCertificate.newBuilder()
                    .setCertificateChain(file(tls.certFile()))
                    .setPrivateKey(file(tls.keyFile())))
            // Envoy checks the server's name only when told to
            // (DefaultCertValidator::verifyCertificate
            // matches SANs only if matchers are set): without this, any certificate the CA signed,
            // a proxy's own included, could pose as the xDS server.
            .setValidationContext(
                CertificateValidationContext.newBuilder()
                    .setTrustedCa(file(tls.caFile()))
                    .addMatchTypedSubjectAltNames(
                        SubjectAltNameMatcher.newBuilder()
                            .setSanType(
                                xds.isIpLiteral()
                                    ? SubjectAltNameMatcher.SanType.IP_ADDRESS
                                    : SubjectAltNameMatcher.SanType.DNS)
                            .setMatcher(StringMatcher.newBuilder().setExact(xds.host()))))
            // gRPC servers refuse TLS connections that do not negotiate h2 through ALPN.
            .addAlpnProtocols("h2")
            .build();
    UpstreamTlsContext.Builder context =
        UpstreamTlsContext.newBuilder().setCommonTlsContext(common);
    // SNI must be a host name (RFC 6066); an IP literal is not sent.
    if (!xds.isIpLiteral()) {
      context.setSni(xds.host());
    }
    return context.build();
  }

  private static OverloadManager overloadManager(ProxyRole role) {
    long maxHeap = role == ProxyRole.GATEWAY ? GATEWAY_MAX_HEAP_BYTES : SIDECAR_MAX_HEAP_BYTES;
    return OverloadManager.newBuilder()
        .setRefreshInterval(Duration.newBuilder().setNanos(250_000_000))
        .addResourceMonitors(
            ResourceMonitor.newBuilder()
                .setName(DOWNSTREAM_CONNECTIONS_MONITOR)
                .setTypedConfig(
                    Any.pack(
                        DownstreamConnectionsConfig.newBuilder()
                            .setMaxActiveDownstreamConnections(MAX_DOWNSTREAM_CONNECTIONS)
                            .build())))
        .addResourceMonitors(
            ResourceMonitor.newBuilder()
                .setName(FIXED_HEAP_MONITOR)
                .setTypedConfig(
                    Any.pack(FixedHeapConfig.newBuilder().setMaxHeapSizeBytes(maxHeap).build())))
        .addActions(heapAction(SHRINK_HEAP_ACTION, SHRINK_HEAP_THRESHOLD))
        .addActions(heapAction(STOP_ACCEPTING_REQUESTS_ACTION, STOP_ACCEPTING_REQUESTS_THRESHOLD))
        .build();
  }

  private static OverloadAction heapAction(String name, double threshold) {
    return OverloadAction.newBuilder()
        .setName(name)
        .addTriggers(
            Trigger.newBuilder()
                .setName(FIXED_HEAP_MONITOR)
                .setThreshold(ThresholdTrigger.newBuilder().setValue(threshold)))
        .build();
  }

  private static Address socketAddress(String host, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(host).setPortValue(port))
        .build();
  }

  private static DataSource file(String path) {
    return DataSource.newBuilder().setFilename(path).build();
  }

  private static Duration seconds(long seconds) {
    return Duration.newBuilder().setSeconds(seconds).build();
  }
}
