package io.fairlead.examples.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.Severity;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.KubeLabels;
import io.fairlead.translators.KubeModelBuilder;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.input.KubeYaml;
import io.fairlead.translators.model.ServiceModel;
import io.fairlead.translators.xds.XdsResources;
import io.fairlead.translators.xds.XdsTranslator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example Services through Fairlead's own parser and translator, as `serve` would see them once
 * Kubernetes has given them a ClusterIP and endpoints: every annotation is valid and does what the
 * comments in the manifests say.
 */
class ServicePoliciesTest {

  private static ServiceModel model;

  @BeforeAll
  static void translate() throws Exception {
    List<Service> services = new ArrayList<>();
    for (Path file : ExampleManifests.manifestFiles()) {
      KubeYaml.Parsed parsed = KubeYaml.parse(file.toString(), Files.readAllBytes(file));
      services.addAll(parsed.services());
    }
    assertThat(services)
        .extracting(s -> s.getMetadata().getNamespace() + "/" + s.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "fairlead-system/fairlead", "fairlead-demo/greeter",
            "fairlead-gateway/fairlead-gateway", "fairlead-gateway/shop");
    List<EndpointSlice> slices = new ArrayList<>();
    for (int i = 0; i < services.size(); i++) {
      Service s = services.get(i);
      s.getSpec().setClusterIP("10.96.0." + (i + 1)); // what the API server would assign
      slices.add(slice(s, "10.1." + i + ".10"));
    }
    model = KubeModelBuilder.build(KubeState.of(services, slices));
  }

  private static EndpointSlice slice(Service s, String ip) {
    EndpointSliceBuilder b =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withNamespace(s.getMetadata().getNamespace())
            .withName(s.getMetadata().getName() + "-x1")
            .addToLabels(KubeLabels.SERVICE_NAME, s.getMetadata().getName())
            .endMetadata()
            .withAddressType("IPv4")
            .addNewEndpoint()
            .withAddresses(ip)
            .withNewConditions()
            .withReady(true)
            .endConditions()
            .endEndpoint();
    for (ServicePort p : s.getSpec().getPorts()) {
      b.addNewPort().withName(p.getName()).withPort(20000 + p.getPort()).endPort();
    }
    return b.build();
  }

  private static XdsResources translate(ProxyContext ctx) {
    XdsResources r = XdsTranslator.translate(model, ctx);
    assertThat(problems(r)).as("warnings and errors for %s", ctx).isEmpty();
    return r;
  }

  private static List<String> problems(XdsResources r) {
    List<Diagnostic> problems = new ArrayList<>(model.diagnostics());
    problems.addAll(r.diagnostics());
    problems.removeIf(d -> d.severity() == Severity.INFO);
    return problems.stream().map(Diagnostic::toString).toList();
  }

  private static ProxyContext gateway(String group, int port) {
    return new ProxyContext(
        ProxyRole.GATEWAY, ClientKind.ENVOY, group, port, Optional.empty(), Optional.empty());
  }

  private static VirtualHost host(XdsResources r, String name) {
    return r.routes().stream()
        .flatMap(rc -> rc.getVirtualHostsList().stream())
        .filter(vh -> vh.getDomainsList().contains(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no virtual host " + name + " in " + r.routes()));
  }

  @Test
  void sidecarsHashGreeterCallsOnXUser() {
    XdsResources r = translate(ProxyContext.of(ProxyRole.SIDECAR, ClientKind.ENVOY));
    assertThat(r.listeners())
        .extracting(Listener::getName)
        .contains("outbound-capture", "fairlead-demo/greeter:9999");
    RouteConfiguration route =
        r.routes().stream()
            .filter(rc -> rc.getName().equals("fairlead-demo/greeter:9999"))
            .findFirst()
            .orElseThrow();
    var hash = route.getVirtualHosts(0).getRoutes(0).getRoute().getHashPolicyList();
    assertThat(hash).hasSize(1);
    assertThat(hash.get(0).getHeader().getHeaderName()).isEqualTo("x-user");
  }

  @Test
  void theDefaultGatewayExposesShopWithCookieSessions() {
    XdsResources r = translate(gateway("default", 8080));
    assertThat(r.listeners()).hasSize(1);
    assertThat(r.listeners().get(0).getAddress().getSocketAddress().getPortValue()).isEqualTo(8080);
    VirtualHost shop = host(r, "shop.example.com");
    assertThat(shop.getRoutes(0).getRoute().getCluster()).isEqualTo("fairlead-gateway/shop:80");
    assertThat(r.listeners().get(0).toString()).contains("envoy.filters.http.stateful_session");
    assertThat(r.routes())
        .flatExtracting(RouteConfiguration::getVirtualHostsList)
        .extracting(VirtualHost::getName)
        .containsExactly("shop.example.com");
  }

  @Test
  void explicitSidecarsReachGreeterByAuthority() {
    XdsResources r = translate(gateway("sidecar-explicit", 15080));
    assertThat(r.listeners()).hasSize(1);
    assertThat(r.listeners().get(0).getAddress().getSocketAddress().getPortValue())
        .isEqualTo(15080);
    VirtualHost greeter = host(r, "greeter.fairlead-demo");
    assertThat(greeter.getRoutes(0).getRoute().getCluster())
        .isEqualTo("fairlead-demo/greeter:9999");
    assertThat(greeter.getRoutes(0).getRoute().getHashPolicy(0).getHeader().getHeaderName())
        .isEqualTo("x-user");
  }

  @Test
  void proxylessClientsGetGreeterWithoutComplaint() {
    for (ClientKind client : List.of(ClientKind.GRPC_JAVA, ClientKind.GRPC_NODE)) {
      XdsResources r = XdsTranslator.translate(model, ProxyContext.of(ProxyRole.PROXYLESS, client));
      // shop is for browsers through the gateway: gRPC libraries get downgrades of its policy
      // (no stateful sessions; no least-request on grpc-node), and greeter gets everything
      assertThat(problems(r))
          .isNotEmpty()
          .allMatch(p -> p.startsWith("warning fairlead-gateway/shop "));
      assertThat(r.listeners())
          .extracting(Listener::getName)
          .contains("greeter.fairlead-demo.svc.cluster.local:9999");
    }
  }
}
