package io.fairlead.translators;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.HashKey;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Severity;
import io.fairlead.translators.input.KubeYaml;
import io.fairlead.translators.model.EndpointEntry;
import io.fairlead.translators.model.EndpointHealth;
import io.fairlead.translators.model.ServiceEntry;
import io.fairlead.translators.model.ServiceModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes objects to the model, one rule per test: which ports and addresses are kept, what each
 * refusal says, and how slices merge. Goldens check the same end to end; these pin each rule
 * without them.
 */
class KubeModelBuilderRulesTest {

  private static ServiceModel build(String yaml) throws Exception {
    KubeYaml.Parsed parsed = KubeYaml.parse("in.yaml", yaml);
    return KubeModelBuilder.build(KubeState.of(parsed.services(), parsed.endpointSlices()));
  }

  private static String service(String spec) {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec:
        %s
        """
        .formatted(spec.indent(2));
  }

  private static String slice(String name, String addressType, String ports, String endpoints) {
    return """
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: %s, namespace: shop, labels: {kubernetes.io/service-name: web}}
        addressType: %s
        ports: %s
        endpoints:
        %s
        """
        .formatted(name, addressType, ports, endpoints);
  }

  private static List<Diagnostic> about(ServiceModel m, String key) {
    return m.diagnostics().stream().filter(d -> d.key().equals(key)).toList();
  }

  @Test
  void portsThatCannotBeRoutedAreLeftOutEachWithItsReason() throws Exception {
    ServiceModel m =
        build(
            service(
                """
                clusterIP: 10.96.0.1
                ports:
                - {name: http, port: 80}
                - {name: Bad_Name, port: 81}
                - {name: big, port: 70000}
                - {name: http, port: 82}
                - {name: other, port: 80}
                - {name: dns, port: 53, protocol: UDP}
                - {name: none}
                - {name: grpc, port: 9090, protocol: TCP}
                """));
    ServiceEntry s = m.services().get(0);
    assertThat(s.ports()).extracting(p -> p.port()).containsExactly(80, 9090);
    assertThat(about(m, "spec.ports[1].name"))
        .singleElement()
        .satisfies(d -> assertThat(d.message()).endsWith("; port ignored"));
    assertThat(about(m, "spec.ports[big].port"))
        .singleElement()
        .satisfies(
            d -> assertThat(d.message()).isEqualTo("70000 is not a port (1-65535); ignored"));
    assertThat(about(m, "spec.ports[http]"))
        .singleElement()
        .satisfies(d -> assertThat(d.message()).contains("given twice"));
    assertThat(about(m, "spec.ports[other]"))
        .singleElement()
        .satisfies(d -> assertThat(d.message()).contains("given twice"));
    assertThat(about(m, "spec.ports[dns].protocol"))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.severity()).isEqualTo(Severity.WARNING);
              assertThat(d.reason()).isEqualTo(Reason.UNSUPPORTED);
              assertThat(d.message()).startsWith("UDP ports are not proxied");
            });
    assertThat(about(m, "spec.ports[none].port"))
        .singleElement()
        .satisfies(d -> assertThat(d.message()).isEqualTo("port number missing; ignored"));
  }

  @Test
  void portsAtTheEndsOfTheRangeAreKept() throws Exception {
    ServiceModel m =
        build(
            service(
                "clusterIP: 10.96.0.1\nports:\n- {name: a, port: 1}\n- {name: b, port: 65535}\n- {name: c, port: 0}"));
    assertThat(m.services().get(0).ports()).extracting(p -> p.port()).containsExactly(1, 65535);
  }

  @Test
  void aSingleUnnamedPortIsLabelledByItsNumber() throws Exception {
    ServiceModel m =
        build(
            service(
                "clusterIP: 10.96.0.1\nports:\n- {port: 70000}\n- {port: 80, appProtocol: ''}"));
    assertThat(about(m, "spec.ports[70000].port")).hasSize(1);
    assertThat(m.services().get(0).ports().get(0).policy().port().appProtocol()).isEmpty();
    assertThat(m.services().get(0).ports().get(0).policy().port().name()).isEmpty();
  }

  @Test
  void servicesThatAreNotRoutedSaySo() throws Exception {
    ServiceModel m =
        build(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: ext, namespace: shop}
            spec: {type: ExternalName, externalName: example.com, ports: [{name: http, port: 80}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: empty, namespace: shop}
            spec: {clusterIP: 10.96.0.2}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: Bad.Name, namespace: shop}
            spec: {clusterIP: 10.96.0.3, ports: [{name: http, port: 80}]}
            """);
    assertThat(m.services()).isEmpty();
    assertThat(m.diagnostics())
        .extracting(Diagnostic::severity, Diagnostic::key)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(Severity.INFO, "spec.type"),
            org.assertj.core.groups.Tuple.tuple(Severity.WARNING, "spec.ports"),
            org.assertj.core.groups.Tuple.tuple(Severity.ERROR, "metadata"));
    assertThat(about(m, "metadata").get(0).message())
        .startsWith("metadata.name ")
        .endsWith("; not routed");
  }

  @Test
  void clusterIpsAreKeptSortedAndNoneOrInvalidOnesAreNot() throws Exception {
    ServiceModel m =
        build(
            service(
                "clusterIPs: [fd00::1, 10.96.0.1, not-an-ip, 'fe80::1%eth0']\nports: [{name: http, port: 80}]"));
    assertThat(m.services().get(0).clusterIps()).containsExactly("10.96.0.1", "fd00::1");
    assertThat(about(m, "spec.clusterIPs"))
        .singleElement()
        .satisfies(
            d ->
                assertThat(d.message())
                    .isEqualTo("not IP addresses: not-an-ip, fe80::1%eth0; ignored"));
    ServiceModel headless = build(service("clusterIP: None\nports: [{name: http, port: 80}]"));
    assertThat(headless.services().get(0).clusterIps()).isEmpty();
    ServiceModel single = build(service("clusterIP: 10.96.0.7\nports: [{name: http, port: 80}]"));
    assertThat(single.services().get(0).clusterIps()).containsExactly("10.96.0.7");
    ServiceModel neither = build(service("ports: [{name: http, port: 80}]"));
    assertThat(neither.services().get(0).clusterIps()).isEmpty();
  }

  /**
   * Two spellings of one IPv6 address are one address: the model carries the canonical form, so a
   * clash between two Services that spell it differently is still found (Envoy compares the
   * addresses, not their text).
   */
  @Test
  void ipv6ClusterIpsAreCanonical() throws Exception {
    ServiceModel m =
        build(
            service(
                "clusterIPs: [10.96.0.1, 'FD00:0:0:0::1', fd00::1]\nports: [{name: http, port: 80}]"));
    assertThat(m.services().get(0).clusterIps()).containsExactly("10.96.0.1", "fd00::1");
  }

  @Test
  void nativeFieldsReachThePolicy() throws Exception {
    ServiceModel m =
        build(
            service(
                """
                clusterIP: 10.96.0.1
                sessionAffinity: ClientIP
                trafficDistribution: PreferClose
                internalTrafficPolicy: Local
                ports: [{name: http, port: 80}]
                """));
    var p = m.services().get(0).ports().get(0).policy();
    assertThat(p.affinity().hashKeys()).containsExactly(new HashKey.SourceIp(32, 128));
    assertThat(p.topology().preferClose()).isTrue();
    assertThat(p.topology().nodeLocal()).isTrue();
  }

  @Test
  void annotationsReachThePolicyAndTheirDiagnosticsTheModel() throws Exception {
    ServiceModel m =
        build(
            """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              namespace: shop
              annotations: {fairlead.io/lb-policy: maglev, fairlead.io/export-to: ., fairlead.io/timeout: soon}
            spec: {clusterIP: 10.96.0.1, ports: [{name: http, port: 80}]}
            """);
    ServiceEntry s = m.services().get(0);
    assertThat(s.ports().get(0).policy().balancing().algorithm().keyword()).isEqualTo("maglev");
    assertThat(s.exportTo()).isPresent();
    assertThat(about(m, "fairlead.io/timeout")).hasSize(1);
    ServiceModel everyone =
        build(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop, annotations: {fairlead.io/export-to: '*'}}
            spec: {clusterIP: 10.96.0.1, ports: [{name: http, port: 80}]}
            """);
    assertThat(everyone.services().get(0).exportTo()).isEmpty();
  }

  @Test
  void aServiceWithoutSlicesSaysSoOnce() throws Exception {
    ServiceModel m = build(service("clusterIP: 10.96.0.1\nports: [{name: http, port: 80}]"));
    assertThat(about(m, "endpoints"))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.severity()).isEqualTo(Severity.INFO);
              assertThat(d.reason()).isEqualTo(Reason.NO_ENDPOINTS);
            });
    assertThat(m.services().get(0).ports().get(0).endpoints()).isEmpty();
  }

  @Test
  void slicesMatchPortsByNameAndKeepBothFamilies() throws Exception {
    ServiceModel m =
        build(
            service(
                    "clusterIP: 10.96.0.1\nports: [{name: http, port: 80}, {name: admin, port: 9000}]")
                + slice(
                    "web-v4",
                    "IPv4",
                    "[{name: http, port: 8080}, {name: admin, port: 9001}]",
                    "- {addresses: [10.1.0.2, 10.1.0.9], zone: z1, nodeName: n1, targetRef: {kind: Pod, name: web-1}}\n- {addresses: [10.1.0.1]}")
                + slice(
                    "web-v6", "IPv6", "[{name: http, port: 8080}]", "- {addresses: ['fd00::2']}"));
    List<EndpointEntry> http = m.services().get(0).ports().get(0).endpoints();
    assertThat(http)
        .extracting(EndpointEntry::address)
        .containsExactly("10.1.0.1", "fd00::2", "10.1.0.2");
    EndpointEntry first = http.get(2);
    assertThat(first.port()).isEqualTo(8080);
    assertThat(first.zone()).contains("z1");
    assertThat(first.nodeName()).contains("n1");
    assertThat(first.podName()).contains("web-1");
    assertThat(first.hostname()).isEqualTo("10.1.0.2");
    List<EndpointEntry> admin = m.services().get(0).ports().get(1).endpoints();
    assertThat(admin).extracting(EndpointEntry::port).containsOnly(9001);
    assertThat(admin).hasSize(2);
    assertThat(m.diagnostics()).isEmpty();
  }

  @Test
  void addressesOfTheWrongFamilyOrNotAddressesAreIgnoredWithAWarning() throws Exception {
    StringBuilder eps = new StringBuilder();
    for (int i = 1; i <= 6; i++) {
      eps.append("- {addresses: ['fd00::").append(i).append("']}\n");
    }
    eps.append("- {addresses: [10.1.0.1]}");
    ServiceModel m =
        build(
            service("clusterIP: 10.96.0.1\nports: [{name: http, port: 80}]")
                + slice("web-a", "IPv4", "[{name: http, port: 8080}]", eps.toString()));
    assertThat(m.services().get(0).ports().get(0).endpoints())
        .extracting(EndpointEntry::address)
        .containsExactly("10.1.0.1");
    assertThat(about(m, "endpoints"))
        .singleElement()
        .satisfies(
            d ->
                assertThat(d.message())
                    .isEqualTo(
                        "port http: 6 endpoint address(es) are not valid for their slice's address type (fd00::1, fd00::2, fd00::3, fd00::4, fd00::5, ...); those endpoints are ignored"));
    StringBuilder fiveBad = new StringBuilder();
    for (int i = 1; i <= 5; i++) {
      fiveBad.append("- {addresses: ['fd00::").append(i).append("']}\n");
    }
    ServiceModel exactlyFive =
        build(
            service("clusterIP: 10.96.0.1\nports: [{name: http, port: 80}]")
                + slice("web-a", "IPv4", "[{name: http, port: 8080}]", fiveBad.toString()));
    assertThat(about(exactlyFive, "endpoints").get(0).message())
        .contains("(fd00::1, fd00::2, fd00::3, fd00::4, fd00::5); those");
    ServiceModel five =
        build(
            service("clusterIP: 10.96.0.1\nports: [{name: http, port: 80}]")
                + slice(
                    "web-a", "IPv6", "[{name: http, port: 8080}]", "- {addresses: [10.1.0.1]}"));
    assertThat(about(five, "endpoints").get(0).message()).contains("(10.1.0.1); those");
  }

  @Test
  void slicePortsOutOfRangeAndFqdnSlicesAreIgnoredWithAWarning() throws Exception {
    ServiceModel m =
        build(
            service("clusterIP: 10.96.0.1\nports: [{name: http, port: 80}]")
                + slice("web-a", "IPv4", "[{name: http, port: 0}]", "- {addresses: [10.1.0.1]}")
                + slice(
                    "web-b", "FQDN", "[{name: http, port: 80}]", "- {addresses: [a.example.com]}")
                + slice("web-c", "IPv4", "[{name: other, port: 80}]", "- {addresses: [10.1.0.3]}")
                + slice(
                    "web-d", "IPv4", "[{name: http, port: 65535}]", "- {addresses: [10.1.0.4]}"));
    assertThat(m.services().get(0).ports().get(0).endpoints())
        .extracting(EndpointEntry::address)
        .containsExactly("10.1.0.4");
    assertThat(about(m, "endpoints"))
        .extracting(Diagnostic::message)
        .containsExactlyInAnyOrder(
            "port http: slice ports out of range 1-65535 (web-a: 0); ignored",
            "FQDN EndpointSlices [web-b] are not supported; ignored");
  }

  @Test
  void orphanSlicesAreWarnings() throws Exception {
    ServiceModel m =
        build(
            service("clusterIP: 10.96.0.1\nports: [{name: http, port: 80}]")
                + """
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: lost, namespace: shop, labels: {kubernetes.io/service-name: gone}}
                addressType: IPv4
                endpoints: []
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: unlabelled, namespace: shop}
                addressType: IPv4
                endpoints: []
                """);
    assertThat(m.diagnostics())
        .filteredOn(d -> d.reason() == Reason.ORPHAN_SLICE)
        .extracting(Diagnostic::object, Diagnostic::message)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                "shop/lost",
                "EndpointSlice belongs to Service shop/gone, which does not exist; ignored"),
            org.assertj.core.groups.Tuple.tuple(
                "shop/unlabelled",
                "EndpointSlice has no kubernetes.io/service-name label; ignored"));
  }

  @Test
  void endpointZoneAndNodeTheApiServerWouldRefuseAreUnknown() throws Exception {
    ServiceModel m =
        build(
            service("clusterIP: 10.96.0.1\nports: [{name: http, port: 80}]")
                + slice(
                    "web-a",
                    "IPv4",
                    "[{name: http, port: 8080}]",
                    "- {addresses: [10.1.0.1], zone: 'bad zone', nodeName: 'Bad_Node'}\n- {addresses: [10.1.0.2], zone: '', nodeName: ''}"));
    assertThat(m.services().get(0).ports().get(0).endpoints())
        .allSatisfy(
            e -> {
              assertThat(e.zone()).isEmpty();
              assertThat(e.nodeName()).isEmpty();
            });
  }

  private static EndpointConditions conditions(
      Boolean ready, Boolean serving, Boolean terminating) {
    EndpointConditions c = new EndpointConditions();
    c.setReady(ready);
    c.setServing(serving);
    c.setTerminating(terminating);
    return c;
  }

  @Test
  void healthFollowsTheConditionsAndAbsentMeansTrue() {
    assertThat(KubeModelBuilder.health(null)).isEqualTo(EndpointHealth.HEALTHY);
    assertThat(KubeModelBuilder.health(new EndpointConditions())).isEqualTo(EndpointHealth.HEALTHY);
    assertThat(KubeModelBuilder.health(conditions(false, null, null)))
        .isEqualTo(EndpointHealth.UNHEALTHY);
    assertThat(KubeModelBuilder.health(conditions(false, null, true)))
        .isEqualTo(EndpointHealth.UNHEALTHY);
    assertThat(KubeModelBuilder.health(conditions(null, null, true)))
        .isEqualTo(EndpointHealth.DRAINING);
    assertThat(KubeModelBuilder.health(conditions(true, true, true)))
        .isEqualTo(EndpointHealth.DRAINING);
    assertThat(KubeModelBuilder.health(conditions(false, true, false)))
        .isEqualTo(EndpointHealth.UNHEALTHY);
  }

  @Test
  void endpointsOrderByZoneThenAddressThenPort() throws Exception {
    ServiceModel m =
        build(
            service("clusterIP: 10.96.0.1\nports: [{name: http, port: 80}]")
                + slice(
                    "web-a",
                    "IPv4",
                    "[{name: http, port: 8080}]",
                    "- {addresses: [10.1.0.1], zone: b}\n- {addresses: [10.1.0.3], zone: a}\n- {addresses: [10.1.0.2], zone: a}")
                + slice(
                    "web-b",
                    "IPv4",
                    "[{name: http, port: 8081}]",
                    "- {addresses: [10.1.0.2], zone: a}"));
    assertThat(m.services().get(0).ports().get(0).endpoints())
        .extracting(e -> e.address() + ":" + e.port())
        .containsExactly("10.1.0.2:8080", "10.1.0.2:8081", "10.1.0.3:8080", "10.1.0.1:8080");
  }

  @Test
  void equalHealthKeepsTheFirstSlicesTarget() throws Exception {
    String ep =
        "- {addresses: [10.1.0.1], targetRef: {kind: Pod, name: %s}, conditions: {ready: %s}}";
    ServiceModel m =
        build(
            service("clusterIP: 10.96.0.1\nports: [{name: http, port: 80}]")
                + slice("web-b", "IPv4", "[{name: http, port: 8080}]", ep.formatted("pod-b", true))
                + slice(
                    "web-a", "IPv4", "[{name: http, port: 8080}]", ep.formatted("pod-a", true)));
    assertThat(m.services().get(0).ports().get(0).endpoints().get(0).podName()).contains("pod-a");
    ServiceModel unhealthy =
        build(
            service("clusterIP: 10.96.0.1\nports: [{name: http, port: 80}]")
                + slice("web-b", "IPv4", "[{name: http, port: 8080}]", ep.formatted("pod-b", false))
                + slice(
                    "web-a", "IPv4", "[{name: http, port: 8080}]", ep.formatted("pod-a", false)));
    assertThat(unhealthy.services().get(0).ports().get(0).endpoints().get(0).podName())
        .contains("pod-a");
  }
}
