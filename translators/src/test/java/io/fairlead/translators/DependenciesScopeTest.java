package io.fairlead.translators;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.fairlead.policies.Dependencies;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.Reason;
import io.fairlead.translators.input.KubeYaml;
import io.fairlead.translators.model.ServiceModel;
import io.fairlead.translators.validate.XdsValidator;
import io.fairlead.translators.xds.XdsResources;
import io.fairlead.translators.xds.XdsTranslator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * What a sidecar with {@code fairlead.io/dependencies} is sent, on the golden case
 * sidecar-dependencies' Services (shop: cart split to cart-v1 and cart-v2, web; payments: pay,
 * refund; misc: unused).
 */
class DependenciesScopeTest {

  private static ServiceModel model(String golden) throws Exception {
    String yaml =
        Files.readString(
            Path.of(
                System.getProperty("golden.dir", "src/test/resources"),
                "golden",
                golden,
                "input.yaml"));
    KubeYaml.Parsed parsed = KubeYaml.parse(golden, yaml);
    return KubeModelBuilder.build(KubeState.of(parsed.services(), parsed.endpointSlices()));
  }

  private static ProxyContext sidecar(
      Set<String> visible, Optional<String> namespace, String dependencies) {
    return new ProxyContext(
        ProxyRole.SIDECAR,
        ClientKind.ENVOY,
        ProxyContext.Gateway.DEFAULT,
        Optional.empty(),
        Optional.empty(),
        new TreeSet<>(visible),
        namespace,
        Optional.ofNullable(dependencies).map(Dependencies::parse),
        false);
  }

  private static XdsResources translate(ProxyContext ctx) throws Exception {
    return XdsTranslator.translate(model("sidecar-dependencies"), ctx);
  }

  private static List<String> clusters(XdsResources r) {
    return r.clusters().stream().map(Cluster::getName).filter(n -> n.contains("/")).toList();
  }

  private static List<String> endpoints(XdsResources r) {
    return r.endpoints().stream().map(ClusterLoadAssignment::getClusterName).toList();
  }

  private static List<String> listeners(XdsResources r) {
    return r.listeners().stream().map(Listener::getName).filter(n -> n.contains("/")).toList();
  }

  private static List<String> routes(XdsResources r) {
    return r.routes().stream().map(RouteConfiguration::getName).toList();
  }

  @Test
  void onlyTheDeclaredServicesAndTheBackendsOfTheirSplits() throws Exception {
    XdsResources r = translate(sidecar(Set.of(), Optional.of("shop"), "cart,payments/refund"));
    assertThat(clusters(r))
        .containsExactly(
            "payments/refund:8080", "shop/cart-v1:8080", "shop/cart-v2:8080", "shop/cart:8080");
    assertThat(endpoints(r)).isEqualTo(clusters(r));
    assertThat(listeners(r)).containsExactly("payments/refund:8080", "shop/cart:8080");
    assertThat(routes(r)).containsExactly("payments/refund:8080", "shop/cart:8080");
    assertThat(
            XdsValidator.withEnvoyTypes()
                .validate(r.clusters(), r.endpoints(), r.listeners(), r.routes()))
        .isEmpty();
  }

  @Test
  void aDeclaredBackendIsTranslatedOnceAsAServiceOfItsOwn() throws Exception {
    XdsResources r = translate(sidecar(Set.of(), Optional.of("shop"), "shop/cart,shop/cart-v1"));
    assertThat(clusters(r))
        .containsExactly("shop/cart-v1:8080", "shop/cart-v2:8080", "shop/cart:8080");
    assertThat(listeners(r)).containsExactly("shop/cart-v1:8080", "shop/cart:8080");
  }

  @Test
  void withoutADeclarationEverythingVisibleIsSent() throws Exception {
    assertThat(clusters(translate(sidecar(Set.of(), Optional.of("shop"), null)))).hasSize(7);
  }

  @Test
  void neverWidensPastVisibleNamespaces() throws Exception {
    XdsResources r = translate(sidecar(Set.of("shop"), Optional.of("shop"), "payments/*,web"));
    assertThat(clusters(r)).containsExactly("shop/web:8080");
  }

  @Test
  void aBadEntryIsAnErrorOnTheGroupAndTheRestApplies() throws Exception {
    XdsResources r = translate(sidecar(Set.of(), Optional.of("shop"), "payments/pay,NOT/ok"));
    assertThat(clusters(r)).containsExactly("payments/pay:8080");
    assertThat(r.diagnostics())
        .filteredOn(d -> d.subject().key().equals("fairlead.io/dependencies"))
        .extracting(Diagnostic::reason, Diagnostic::severity)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                Reason.INVALID_VALUE, io.fairlead.policies.Severity.ERROR));
  }

  @Test
  void onlyBadEntriesGiveNoServiceNotTheWholeMesh() throws Exception {
    XdsResources r = translate(sidecar(Set.of(), Optional.of("shop"), "NOPE"));
    assertThat(clusters(r)).isEmpty();
    assertThat(r.diagnostics())
        .filteredOn(d -> d.subject().key().equals("fairlead.io/dependencies"))
        .hasSize(2)
        .anySatisfy(d -> assertThat(d.message()).contains("no entry is valid"));
  }

  @Test
  void bareNamesNeedTheProxysNamespace() throws Exception {
    XdsResources r = translate(sidecar(Set.of(), Optional.empty(), "cart"));
    assertThat(clusters(r)).isEmpty();
    assertThat(r.diagnostics())
        .filteredOn(d -> d.subject().key().equals("fairlead.io/dependencies"))
        .singleElement()
        .satisfies(d -> assertThat(d.reason()).isEqualTo(Reason.NO_EFFECT));
  }
}
