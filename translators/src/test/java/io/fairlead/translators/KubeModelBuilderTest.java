package io.fairlead.translators;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairlead.translators.input.KubeYaml;
import io.fairlead.translators.model.EndpointEntry;
import io.fairlead.translators.model.EndpointHealth;
import io.fairlead.translators.model.ServiceModel;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Services and their slices into the model: what wins when slices disagree. */
class KubeModelBuilderTest {

  private static final String SERVICE =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec:
        clusterIP: 10.96.0.10
        ports: [{name: http, port: 80}]
      """;

  private static String slice(
      String name, String zone, String node, boolean ready, boolean serving, boolean terminating) {
    return """
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: %s, namespace: shop, labels: {kubernetes.io/service-name: web}}
        addressType: IPv4
        ports: [{name: http, port: 8080}]
        endpoints:
        - addresses: [10.1.0.1]
          zone: %s
          nodeName: %s
          conditions: {ready: %s, serving: %s, terminating: %s}
        """
        .formatted(name, zone, node, ready, serving, terminating);
  }

  private static List<EndpointEntry> endpoints(String yaml) throws Exception {
    KubeYaml.Parsed parsed = KubeYaml.parse("in.yaml", yaml);
    ServiceModel model =
        KubeModelBuilder.build(
            KubeState.of(parsed.services(), parsed.endpointSlices(), parsed.pods()));
    return model.services().get(0).ports().get(0).endpoints();
  }

  /**
   * One address in two slices (a slice being replaced): the healthier condition wins, in either
   * order.
   */
  @Test
  void anAddressInTwoSlicesKeepsTheHealthierCondition() throws Exception {
    String ready = slice("web-a", "zone-a", "node-a", true, true, false);
    String terminating = slice("web-b", "zone-b", "node-b", false, true, true);
    for (String yaml :
        List.of(
            SERVICE + ready + terminating,
            SERVICE
                + slice("web-a", "zone-b", "node-b", false, true, true)
                + slice("web-b", "zone-a", "node-a", true, true, false))) {
      List<EndpointEntry> eps = endpoints(yaml);
      assertThat(eps)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.health()).isEqualTo(EndpointHealth.HEALTHY);
                assertThat(e.zone()).contains("zone-a");
                assertThat(e.nodeName()).contains("node-a");
              });
    }
  }

  /** For equal health, the slice first in namespace/name order decides zone and node. */
  @Test
  void forEqualHealthTheFirstSliceByNameWins() throws Exception {
    String yaml =
        SERVICE
            + slice("web-b", "zone-b", "node-b", true, true, false)
            + slice("web-a", "zone-a", "node-a", true, true, false);
    assertThat(endpoints(yaml))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.zone()).contains("zone-a");
              assertThat(e.nodeName()).contains("node-a");
            });
  }

  @Test
  void conditionsMapAsKubeProxyReadsThem() throws Exception {
    assertThat(endpoints(SERVICE + slice("web-a", "z", "n", true, true, false)))
        .extracting(EndpointEntry::health)
        .containsExactly(EndpointHealth.HEALTHY);
    assertThat(endpoints(SERVICE + slice("web-a", "z", "n", false, true, true)))
        .extracting(EndpointEntry::health)
        .containsExactly(EndpointHealth.DRAINING);
    assertThat(endpoints(SERVICE + slice("web-a", "z", "n", false, false, true)))
        .extracting(EndpointEntry::health)
        .containsExactly(EndpointHealth.UNHEALTHY);
    assertThat(
            Optional.of(
                endpoints(SERVICE + slice("web-a", "z", "n", true, true, false)).get(0).address()))
        .contains("10.1.0.1");
  }
}
