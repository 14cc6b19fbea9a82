package io.fairlead.translators.xds;

import static io.fairlead.translators.xds.ModelFixtures.policy;
import static io.fairlead.translators.xds.ModelFixtures.port;
import static io.fairlead.translators.xds.ModelFixtures.simple;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.lua.v3.Lua;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.fairlead.policies.PortPolicy;
import io.fairlead.policies.PortSpec;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.TranslationSettings;
import io.fairlead.translators.model.ServiceEntry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Sidecar, gateway and proxyless listeners and their connection managers. */
class ListenersTest {

  private static final PortSpec HTTP = port("http", 80);
  private static final PortSpec DB = port("db", 5432);

  private static <T extends com.google.protobuf.Message> T unpack(
      com.google.protobuf.Any any, Class<T> type) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static HttpConnectionManager hcm(Listener l) {
    return unpack(l.getFilterChains(0).getFilters(0).getTypedConfig(), HttpConnectionManager.class);
  }

  private static List<String> filterNames(HttpConnectionManager h) {
    return h.getHttpFiltersList().stream().map(HttpFilter::getName).toList();
  }

  @Test
  void theCaptureListenerPassesUnknownDestinationsThrough() {
    Listener l = SidecarListenerBuilder.capture(false);
    assertThat(l.getName()).isEqualTo("outbound-capture");
    assertThat(l.getAddress().getSocketAddress().getPortValue()).isEqualTo(15001);
    assertThat(l.getUseOriginalDst().getValue()).isTrue();
    assertThat(l.getTrafficDirection()).isEqualTo(TrafficDirection.OUTBOUND);
    TcpProxy tcp = unpack(l.getFilterChains(0).getFilters(0).getTypedConfig(), TcpProxy.class);
    assertThat(tcp.getCluster()).isEqualTo("passthrough");
  }

  @Test
  void aVirtualListenerListensOnEveryClusterIpWithoutBinding() {
    ServiceEntry svc =
        ModelFixtures.service(
            "ns/web",
            List.of("10.96.0.1", "fd00::1"),
            ModelFixtures.entry(policy(HTTP, Map.of("max-connection-duration", "10m"))));
    Listener l =
        SidecarListenerBuilder.virtual(
            svc,
            svc.ports().get(0).policy(),
            TranslationSettings.DEFAULT,
            java.util.Optional.empty(),
            false);
    assertThat(l.getName()).isEqualTo("ns/web:80");
    assertThat(l.getBindToPort().getValue()).isFalse();
    assertThat(l.getAddress().getSocketAddress().getAddress()).isEqualTo("10.96.0.1");
    assertThat(l.getAddress().getSocketAddress().getPortValue()).isEqualTo(80);
    assertThat(l.getAdditionalAddressesList())
        .singleElement()
        .satisfies(
            a -> assertThat(a.getAddress().getSocketAddress().getAddress()).isEqualTo("fd00::1"));
    HttpConnectionManager h = hcm(l);
    assertThat(h.getRds().getRouteConfigName()).isEqualTo("ns/web:80");
    assertThat(h.getCommonHttpProtocolOptions().getMaxConnectionDuration().getSeconds())
        .isEqualTo(600);
    assertThat(h.getUseRemoteAddress().getValue()).isFalse();
    assertThat(h.getStripAnyHostPort()).isFalse();
    assertThat(h.getUpgradeConfigs(0).getUpgradeType()).isEqualTo("websocket");
    assertThat(h.getHttp2ProtocolOptions().getAllowConnect()).isTrue();
    assertThat(filterNames(h)).containsExactly(HttpFilters.ROUTER);
  }

  @Test
  void tcpPortsGetATcpProxyWithTheirTimeoutsAndSourceIpHashing() {
    PortPolicy p =
        policy(
            DB,
            Map.of("hash-on", "source-ip", "max-connection-duration", "1h", "idle-timeout", "5m"));
    ServiceEntry svc = ModelFixtures.service("ns/db", List.of("10.96.0.9"), ModelFixtures.entry(p));
    TcpProxy tcp =
        unpack(
            SidecarListenerBuilder.virtual(
                    svc, p, TranslationSettings.DEFAULT, java.util.Optional.empty(), false)
                .getFilterChains(0)
                .getFilters(0)
                .getTypedConfig(),
            TcpProxy.class);
    assertThat(tcp.getCluster()).isEqualTo("ns/db:5432");
    assertThat(tcp.getHashPolicy(0).hasSourceIp()).isTrue();
    assertThat(tcp.getMaxDownstreamConnectionDuration().getSeconds()).isEqualTo(3600);
    assertThat(tcp.getIdleTimeout().getSeconds()).isEqualTo(300);
    TcpProxy plain =
        unpack(
            ConnectionManagers.tcp(
                    "s", "c", policy(DB, Map.of()), List.of(), java.util.Optional.empty(), false)
                .getTypedConfig(),
            TcpProxy.class);
    assertThat(plain.getHashPolicyList()).isEmpty();
    assertThat(plain.hasMaxDownstreamConnectionDuration()).isFalse();
    assertThat(plain.getIdleTimeout().getSeconds()).isEqualTo(3600);
    // tcp_proxy hashes the peer for source-ip keys only
    TcpProxy header =
        unpack(
            ConnectionManagers.tcp(
                    "s",
                    "c",
                    policy(HTTP, Map.of("hash-on", "header:u")),
                    List.of(),
                    java.util.Optional.empty(),
                    false)
                .getTypedConfig(),
            TcpProxy.class);
    assertThat(header.getHashPolicyList()).isEmpty();
  }

  @Test
  void httpFiltersFollowThePolicies() {
    PortPolicy subnet = policy(HTTP, Map.of("hash-on", "source-ip", "source-ip-prefix", "24"));
    PortPolicy whole = policy(HTTP, Map.of("hash-on", "source-ip"));
    PortPolicy session = policy(HTTP, Map.of("session-persistence", "cookie:s"));
    PortPolicy plain = policy(HTTP, Map.of());
    List<HttpFilter> all =
        HttpFilters.forPolicies(List.of(plain, subnet, session), ClientAddress.DERIVED);
    assertThat(all)
        .extracting(HttpFilter::getName)
        .containsExactly(HttpFilters.LUA, HttpFilters.STATEFUL_SESSION, HttpFilters.ROUTER);
    assertThat(
            unpack(all.get(0).getTypedConfig(), Lua.class).getDefaultSourceCode().getInlineString())
        .isEqualTo(HttpFilters.SUBNET_SCRIPT)
        .contains(HttpFilters.SUBNET_HEADER);
    assertThat(HttpFilters.forPolicies(List.of(whole), ClientAddress.DERIVED))
        .extracting(HttpFilter::getName)
        .containsExactly(HttpFilters.ROUTER);
    assertThat(HttpFilters.forPolicies(List.of(whole), ClientAddress.PEER))
        .extracting(HttpFilter::getName)
        .containsExactly(HttpFilters.LUA, HttpFilters.ROUTER);
    assertThat(HttpFilters.needsSubnetHeader(subnet, ClientAddress.DERIVED)).isTrue();
    assertThat(HttpFilters.needsSubnetHeader(whole, ClientAddress.DERIVED)).isFalse();
    assertThat(HttpFilters.needsSubnetHeader(plain, ClientAddress.PEER)).isFalse();
  }

  @Test
  void theGatewayIsTheEdge() {
    ProxyContext ctx =
        new ProxyContext(
            ProxyRole.GATEWAY,
            ClientKind.ENVOY,
            new ProxyContext.Gateway("default", 8443, 2, true, false),
            Optional.empty(),
            Optional.empty(),
            new TreeSet<>());
    ServiceEntry web =
        simple(
            "ns/web",
            "10.96.0.1",
            HTTP,
            Map.of("gateway-host", "a.example,b.example", "gateway-path", "/api"));
    ServiceEntry root = simple("ns/root", "10.96.0.2", HTTP, Map.of("gateway-host", "a.example"));
    XdsResources r =
        XdsTranslator.translate(
            new io.fairlead.translators.model.ServiceModel(List.of(web, root), List.of()), ctx);
    Listener l = r.listeners().get(0);
    assertThat(l.getAddress().getSocketAddress().getAddress()).isEqualTo("0.0.0.0");
    assertThat(l.getAddress().getSocketAddress().getPortValue()).isEqualTo(8443);
    assertThat(l.getTrafficDirection()).isEqualTo(TrafficDirection.INBOUND);
    assertThat(l.getListenerFilters(0).getName()).isEqualTo(GatewayListenerBuilder.PROXY_PROTOCOL);
    HttpConnectionManager h = hcm(l);
    assertThat(h.getUseRemoteAddress().getValue()).isTrue();
    assertThat(h.getXffNumTrustedHops()).isEqualTo(2);
    assertThat(h.getStripAnyHostPort()).isTrue();
    assertThat(h.hasCommonHttpProtocolOptions()).isFalse();
    RouteConfiguration rc = r.routes().get(0);
    assertThat(rc.getVirtualHostsList())
        .extracting(v -> v.getName())
        .containsExactly("a.example", "b.example");
    // longest prefix first
    assertThat(rc.getVirtualHosts(0).getRoutesList())
        .extracting(route -> route.getRoute().getCluster())
        .containsExactly("ns/web:80", "ns/root:80");
    ProxyContext direct = ProxyContext.of(ProxyRole.GATEWAY, ClientKind.ENVOY);
    Listener plain =
        XdsTranslator.translate(
                new io.fairlead.translators.model.ServiceModel(List.of(web), List.of()), direct)
            .listeners()
            .get(0);
    assertThat(plain.getListenerFiltersList()).isEmpty();
    assertThat(hcm(plain).getXffNumTrustedHops()).isZero();
  }

  @Test
  void proxylessListenersAreApiListenersWithAnInlineRoute() {
    ServiceEntry web = simple("ns/web", "10.96.0.1", HTTP, Map.of("timeout", "2s"));
    Listener l =
        ProxylessListenerBuilder.build(
            web,
            web.ports().get(0).policy(),
            java.util.Optional.empty(),
            ClientCapabilities.dialect(ClientKind.GRPC_JAVA),
            new TranslationSettings("example.internal"));
    assertThat(l.getName()).isEqualTo("web.ns.svc.example.internal:80");
    HttpConnectionManager h =
        unpack(l.getApiListener().getApiListener(), HttpConnectionManager.class);
    assertThat(h.getRouteConfig().getVirtualHosts(0).getDomainsList()).containsExactly("*");
    var route = h.getRouteConfig().getVirtualHosts(0).getRoutes(0);
    assertThat(route.getRoute().getCluster()).isEqualTo("ns/web:80");
    assertThat(route.getMatch().getPrefix()).isEmpty();
    assertThat(route.getRoute().getMaxStreamDuration().getMaxStreamDuration().getSeconds())
        .isEqualTo(2);
    assertThat(filterNames(h)).containsExactly(HttpFilters.ROUTER);
  }

  @Test
  void resourceNames() {
    var ref = io.fairlead.policies.ObjectRef.parse("ns/web");
    assertThat(ResourceNames.cluster(ref, 80)).isEqualTo("ns/web:80");
    assertThat(ResourceNames.sidecarListener(ref, 80)).isEqualTo("ns/web:80");
    assertThat(ResourceNames.sidecarRoute(ref, 80)).isEqualTo("ns/web:80");
    assertThat(ResourceNames.gatewayListener("edge")).isEqualTo("gateway/edge");
    assertThat(ResourceNames.gatewayRoute("edge")).isEqualTo("gateway/edge");
  }
}
