package io.fairlead.translators;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.fairlead.translators.input.KubeYaml;
import io.fairlead.translators.model.ServiceModel;
import io.fairlead.translators.xds.XdsTranslator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Who receives a Service under fairlead.io/export-to, by the proxy's namespace. */
class ExportToTest {

  private static ServiceModel model() throws Exception {
    String yaml =
        Files.readString(
            Path.of(
                System.getProperty("golden.dir", "src/test/resources"),
                "golden",
                "export-to",
                "input.yaml"));
    KubeYaml.Parsed parsed = KubeYaml.parse("export-to", yaml);
    return KubeModelBuilder.build(KubeState.of(parsed.services(), parsed.endpointSlices()));
  }

  private static java.util.List<String> clusters(ProxyContext ctx) throws Exception {
    return XdsTranslator.translate(model(), ctx).clusters().stream()
        .map(Cluster::getName)
        .filter(n -> n.contains("/"))
        .toList();
  }

  private static ProxyContext sidecarIn(Optional<String> namespace) {
    return new ProxyContext(
        ProxyRole.SIDECAR,
        ClientKind.ENVOY,
        ProxyContext.Gateway.DEFAULT,
        Optional.empty(),
        Optional.empty(),
        new TreeSet<>(),
        namespace);
  }

  @Test
  void eachNamespaceGetsWhatIsExportedToIt() throws Exception {
    assertThat(clusters(sidecarIn(Optional.of("shop"))))
        .containsExactly("payments/checkout:80", "shop/open:80", "shop/own:80");
    assertThat(clusters(sidecarIn(Optional.of("payments"))))
        .containsExactly("payments/checkout:80", "payments/ledger:80", "shop/open:80");
    assertThat(clusters(sidecarIn(Optional.of("web")))).containsExactly("shop/open:80");
  }

  @Test
  void aProxyOfUnknownNamespaceGetsOnlyWhatIsExportedToEveryone() throws Exception {
    assertThat(clusters(sidecarIn(Optional.empty()))).containsExactly("shop/open:80");
  }

  @Test
  void visibleNamespacesOnlyNarrow() throws Exception {
    ProxyContext narrowed =
        new ProxyContext(
            ProxyRole.SIDECAR,
            ClientKind.ENVOY,
            ProxyContext.Gateway.DEFAULT,
            Optional.empty(),
            Optional.empty(),
            new TreeSet<>(java.util.Set.of("payments")),
            Optional.of("web"));
    assertThat(clusters(narrowed))
        .as("ledger is not exported to web, whatever it declares")
        .isEmpty();
  }

  @Test
  void gatewaysExposeByGroupRegardless() throws Exception {
    assertThat(clusters(ProxyContext.of(ProxyRole.GATEWAY, ClientKind.ENVOY)))
        .containsExactly("payments/checkout:80");
  }
}
