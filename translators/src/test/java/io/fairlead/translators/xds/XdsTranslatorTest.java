package io.fairlead.translators.xds;

import static io.fairlead.translators.xds.ModelFixtures.endpoint;
import static io.fairlead.translators.xds.ModelFixtures.entry;
import static io.fairlead.translators.xds.ModelFixtures.policy;
import static io.fairlead.translators.xds.ModelFixtures.port;
import static io.fairlead.translators.xds.ModelFixtures.service;
import static io.fairlead.translators.xds.ModelFixtures.simple;
import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.PortSpec;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Severity;
import io.fairlead.policies.Subject;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.model.EndpointHealth;
import io.fairlead.translators.model.ServiceEntry;
import io.fairlead.translators.model.ServiceModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The translator's own decisions: what each role gets, conflicts, order, and what is left out. */
class XdsTranslatorTest {

  private static final PortSpec HTTP = port("http", 80);
  private static final PortSpec DB = port("db", 5432);
  private static final ProxyContext SIDECAR = ProxyContext.of(ProxyRole.SIDECAR, ClientKind.ENVOY);
  private static final ProxyContext GATEWAY = ProxyContext.of(ProxyRole.GATEWAY, ClientKind.ENVOY);
  private static final ProxyContext GRPC_JAVA =
      ProxyContext.of(ProxyRole.PROXYLESS, ClientKind.GRPC_JAVA);

  private static XdsResources translate(ProxyContext ctx, ServiceEntry... services) {
    return XdsTranslator.translate(new ServiceModel(List.of(services), List.of()), ctx);
  }

  private static List<String> names(List<? extends com.google.protobuf.Message> messages) {
    return messages.stream()
        .map(
            m ->
                m instanceof Cluster c
                    ? c.getName()
                    : m instanceof Listener l
                        ? l.getName()
                        : m instanceof RouteConfiguration r
                            ? r.getName()
                            : ((io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment) m)
                                .getClusterName())
        .toList();
  }

  /**
   * Two dual-stack Services that clash only on their IPv6 ClusterIP: Envoy would reject the second
   * listener, so the second Service (by namespace/name) loses its listener and route, with an error
   * that names the address; its cluster stays.
   */
  @Test
  void dualStackServicesClashingOnlyOnIpv6LoseTheSecondListenerWithAnError() {
    ServiceEntry a =
        service(
            "a/web",
            List.of("10.96.0.1", "fd00::1"),
            entry(policy(HTTP, Map.of()), endpoint("10.1.0.1", 8080, EndpointHealth.HEALTHY)));
    ServiceEntry b =
        service(
            "b/web",
            List.of("10.96.0.2", "fd00::1"),
            entry(policy(HTTP, Map.of()), endpoint("10.1.0.2", 8080, EndpointHealth.HEALTHY)));
    for (List<ServiceEntry> order : List.of(List.of(a, b), List.of(b, a))) {
      XdsResources r = XdsTranslator.translate(new ServiceModel(order, List.of()), SIDECAR);
      assertThat(names(r.listeners())).containsExactly("a/web:80", "outbound-capture");
      assertThat(names(r.routes())).containsExactly("a/web:80");
      assertThat(names(r.clusters())).containsExactly("a/web:80", "b/web:80", "passthrough");
      assertThat(r.diagnostics())
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.severity()).isEqualTo(Severity.ERROR);
                assertThat(d.reason()).isEqualTo(Reason.ADDRESS_CONFLICT);
                assertThat(d.object()).isEqualTo("b/web");
                assertThat(d.message()).contains("fd00::1:80", "a/web:80");
              });
    }
  }

  @Test
  void servicesOnDifferentAddressesOrPortsDoNotClash() {
    XdsResources r =
        translate(
            SIDECAR,
            simple("a/web", "10.96.0.1", HTTP, Map.of()),
            simple("b/web", "10.96.0.1", port("http", 8080), Map.of()),
            simple("c/web", "10.96.0.3", HTTP, Map.of()));
    assertThat(names(r.listeners()))
        .containsExactly("a/web:80", "b/web:8080", "c/web:80", "outbound-capture");
    assertThat(r.diagnostics()).isEmpty();
  }

  @Test
  void aHeadlessServiceGetsClustersOnlyOnSidecarsAndSaysSo() {
    ServiceEntry headless =
        service(
            "ns/db",
            List.of(),
            entry(policy(HTTP, Map.of()), endpoint("10.1.0.1", 8080, EndpointHealth.HEALTHY)));
    XdsResources r = translate(SIDECAR, headless);
    assertThat(names(r.clusters())).containsExactly("ns/db:80", "passthrough");
    assertThat(names(r.listeners())).containsExactly("outbound-capture");
    assertThat(r.routes()).isEmpty();
    assertThat(r.diagnostics())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.severity()).isEqualTo(Severity.INFO);
              assertThat(d.key()).isEqualTo("spec.clusterIP");
              assertThat(d.message()).startsWith("headless Service");
            });
    assertThat(translate(GRPC_JAVA, headless).diagnostics()).isEmpty();
  }

  @Test
  void tcpPortsGetAListenerButNoRouteOnSidecars() {
    XdsResources r = translate(SIDECAR, simple("ns/db", "10.96.0.9", DB, Map.of()));
    assertThat(names(r.listeners())).containsExactly("ns/db:5432", "outbound-capture");
    assertThat(r.routes()).isEmpty();
    assertThat(names(r.endpoints())).containsExactly("ns/db:5432");
  }

  @Test
  void eachRoleGetsItsResources() {
    ServiceEntry web =
        simple("ns/web", "10.96.0.1", HTTP, Map.of("gateway-host", "web.example.com"));
    XdsResources sidecar = translate(SIDECAR, web);
    assertThat(names(sidecar.clusters())).containsExactly("ns/web:80", "passthrough");
    assertThat(names(sidecar.endpoints())).containsExactly("ns/web:80");
    assertThat(names(sidecar.routes())).containsExactly("ns/web:80");

    XdsResources gateway = translate(GATEWAY, web);
    assertThat(names(gateway.clusters())).containsExactly("ns/web:80");
    assertThat(names(gateway.listeners()))
        .containsExactly(ResourceNames.gatewayListener("default"));
    assertThat(names(gateway.routes())).containsExactly(ResourceNames.gatewayRoute("default"));
    assertThat(gateway.routes().get(0).getVirtualHosts(0).getDomainsList())
        .containsExactly("web.example.com");

    XdsResources proxyless = translate(GRPC_JAVA, web);
    assertThat(names(proxyless.listeners())).containsExactly("web.ns.svc.cluster.local:80");
    assertThat(proxyless.routes()).isEmpty();
    assertThat(names(proxyless.clusters())).containsExactly("ns/web:80");
  }

  @Test
  void gatewaysGetOnlyThePortsExposedToTheirGroup() {
    ServiceEntry internal = simple("ns/internal", "10.96.0.2", HTTP, Map.of());
    ServiceEntry edge = simple("ns/edge", "10.96.0.3", HTTP, Map.of("gateway", "edge"));
    assertThat(translate(GATEWAY, internal, edge).clusters()).isEmpty();
    assertThat(translate(GATEWAY, internal, edge).listeners()).isEmpty();
    ProxyContext edgeGateway =
        new ProxyContext(
            ProxyRole.GATEWAY, ClientKind.ENVOY, "edge", 8443, Optional.empty(), Optional.empty());
    XdsResources r = translate(edgeGateway, internal, edge);
    assertThat(names(r.clusters())).containsExactly("ns/edge:80");
    assertThat(r.listeners().get(0).getAddress().getSocketAddress().getPortValue()).isEqualTo(8443);
  }

  /**
   * A host and path claimed twice goes to the first Service by namespace/name, whatever order the
   * per-Service parts arrive in (an incremental translator hands them over in any order).
   */
  @Test
  void aGatewayConflictIsWonByTheFirstServiceWhateverOrderThePartsArriveIn() {
    ServiceEntry a = simple("a/web", "10.96.0.1", HTTP, Map.of("gateway-host", "shop.example"));
    ServiceEntry b = simple("b/web", "10.96.0.2", HTTP, Map.of("gateway-host", "shop.example"));
    List<ServiceResources> parts =
        new ArrayList<>(
            List.of(
                XdsTranslator.translateService(b, GATEWAY),
                XdsTranslator.translateService(a, GATEWAY)));
    for (int i = 0; i < 2; i++) {
      XdsResources r = XdsTranslator.assemble(parts, List.of(), GATEWAY);
      assertThat(r.routes().get(0).getVirtualHosts(0).getRoutes(0).getRoute().getCluster())
          .isEqualTo("a/web:80");
      assertThat(r.diagnostics())
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.reason()).isEqualTo(Reason.ROUTE_CONFLICT);
                assertThat(d.object()).isEqualTo("b/web");
              });
      java.util.Collections.reverse(parts);
    }
  }

  /** Two ports of one Service on one host and path: the lower port number keeps the route. */
  @Test
  void withinAServiceTheLowerPortWinsAGatewayConflict() {
    Map<String, String> exposed = Map.of("gateway-host", "shop.example");
    ServiceEntry web =
        service(
            "a/web",
            List.of("10.96.0.1"),
            entry(policy(port("http-b", 8080), exposed)),
            entry(policy(port("http-a", 80), exposed)));
    XdsResources r = translate(GATEWAY, web);
    assertThat(r.routes().get(0).getVirtualHosts(0).getRoutes(0).getRoute().getCluster())
        .isEqualTo("a/web:80");
    assertThat(r.diagnostics())
        .singleElement()
        .satisfies(d -> assertThat(d.message()).contains("a/web port http-a"));
  }

  @Test
  void outputListsAreSortedByNameAndModelDiagnosticsAreKept() {
    Diagnostic fromModel =
        Diagnostic.warning(
            Reason.ORPHAN_SLICE, Subject.of(ObjectRef.parse("ns/x"), "metadata.labels"), "orphan");
    XdsResources r =
        XdsTranslator.translate(
            new ServiceModel(
                List.of(
                    simple("z/web", "10.96.0.9", HTTP, Map.of()),
                    simple("a/web", "10.96.0.1", HTTP, Map.of())),
                List.of(fromModel)),
            SIDECAR);
    assertThat(names(r.clusters())).containsExactly("a/web:80", "passthrough", "z/web:80");
    assertThat(names(r.endpoints())).containsExactly("a/web:80", "z/web:80");
    assertThat(names(r.listeners())).containsExactly("a/web:80", "outbound-capture", "z/web:80");
    assertThat(names(r.routes())).containsExactly("a/web:80", "z/web:80");
    assertThat(r.diagnostics()).containsExactly(fromModel);
  }

  @Test
  void aProxyGetsOnlyTheNamespacesItSees() {
    ProxyContext scoped =
        new ProxyContext(
            ProxyRole.SIDECAR,
            ClientKind.ENVOY,
            "default",
            8080,
            Optional.empty(),
            Optional.empty(),
            new TreeSet<>(List.of("a")));
    XdsResources r =
        translate(
            scoped,
            simple("a/web", "10.96.0.1", HTTP, Map.of()),
            simple("b/web", "10.96.0.2", HTTP, Map.of()));
    assertThat(names(r.clusters())).containsExactly("a/web:80", "passthrough");
  }

  @Test
  void grpcDowngradesAreReportedPerPort() {
    XdsResources r =
        translate(GRPC_JAVA, simple("ns/web", "10.96.0.1", HTTP, Map.of("lb-policy", "maglev")));
    assertThat(r.diagnostics())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.reason()).isEqualTo(Reason.CLIENT_DOWNGRADE);
              assertThat(d.key()).isEqualTo("fairlead.io/lb-policy");
            });
    assertThat(
            translate(SIDECAR, simple("ns/web", "10.96.0.1", HTTP, Map.of("lb-policy", "maglev")))
                .diagnostics())
        .isEmpty();
  }

  @Test
  void aGatewaySessionCookieWithALifetimeWarnsUnlessTheBuildIsDeclared() {
    ServiceEntry web =
        simple(
            "ns/web",
            "10.96.0.1",
            HTTP,
            Map.of(
                "gateway-host", "web.example",
                "session-persistence", "cookie:s",
                "persistence-timeout", "1h"));
    assertThat(translate(GATEWAY, web).diagnostics())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.key()).isEqualTo("fairlead.io/persistence-timeout");
              assertThat(d.message()).contains("port http, gateway group default");
            });
    ProxyContext fixed =
        new ProxyContext(
            ProxyRole.GATEWAY,
            ClientKind.ENVOY,
            new ProxyContext.Gateway("default", 8080, 0, false, true),
            Optional.empty(),
            Optional.empty(),
            new TreeSet<>());
    assertThat(translate(fixed, web).diagnostics()).isEmpty();
    ServiceEntry sessionOnly =
        simple(
            "ns/web",
            "10.96.0.1",
            HTTP,
            Map.of("gateway-host", "web.example", "session-persistence", "cookie:s"));
    assertThat(translate(GATEWAY, sessionOnly).diagnostics()).isEmpty();
    ServiceEntry header =
        simple(
            "ns/web",
            "10.96.0.1",
            HTTP,
            Map.of("gateway-host", "web.example", "session-persistence", "header:x-s"));
    assertThat(translate(GATEWAY, header).diagnostics()).isEmpty();
  }
}
