package io.fairlead.translators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.Severity;
import io.fairlead.translators.input.KubeYaml;
import io.fairlead.translators.model.ServiceModel;
import io.fairlead.translators.validate.XdsValidator;
import io.fairlead.translators.xds.XdsResources;
import io.fairlead.translators.xds.XdsTranslator;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Input the API server would have refused, as a directory of files or a hostile client can deliver
 * it: each is a diagnostic, the rest of the input still applies, and nothing invalid reaches a
 * resource.
 */
class HostileInputTest {

  private static final XdsValidator VALIDATOR = XdsValidator.withEnvoyTypes();

  private static ServiceModel model(String yaml) throws Exception {
    KubeYaml.Parsed parsed = KubeYaml.parse("hostile.yaml", yaml);
    ServiceModel model =
        KubeModelBuilder.build(KubeState.of(parsed.services(), parsed.endpointSlices()));
    for (ProxyRole role : ProxyRole.values()) {
      ProxyContext ctx =
          ProxyContext.of(
              role, role == ProxyRole.PROXYLESS ? ClientKind.GRPC_JAVA : ClientKind.ENVOY);
      XdsResources r = XdsTranslator.translate(model, ctx);
      assertThat(VALIDATOR.validate(r, Set.of())).as(role.label()).isEmpty();
    }
    return model;
  }

  private static final String GOOD =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: good, namespace: demo}
      spec:
        clusterIP: 10.96.0.1
        ports: [{name: http, port: 80}]
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata: {name: good-1, namespace: demo, labels: {kubernetes.io/service-name: good}}
      addressType: IPv4
      ports: [{name: http, port: 8080}]
      endpoints: [{addresses: [10.0.0.1]}]
      """;

  private static List<String> keysOf(ServiceModel m, String object) {
    return m.diagnostics().stream()
        .filter(d -> d.object().equals(object))
        .map(Diagnostic::key)
        .toList();
  }

  @Test
  void namesTheApiServerWouldRefuseAreNotRoutedAndCannotCollide() throws Exception {
    ServiceModel m =
        model(
            GOOD
                + """
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: b/c, namespace: a}
                spec: {ports: [{port: 80}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: c, namespace: a/b}
                spec: {ports: [{port: 80}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: 9lives, namespace: demo}
                spec: {ports: [{port: 80}]}
                """);
    assertThat(m.services()).extracting(s -> s.ref().toString()).containsExactly("demo/good");
    assertThat(m.diagnostics())
        .filteredOn(d -> d.key().equals("metadata"))
        .hasSize(3)
        .allSatisfy(d -> assertThat(d.severity()).isEqualTo(Severity.ERROR));
  }

  @Test
  void badPortsAreLeftOutAndTheOthersStay() throws Exception {
    ServiceModel m =
        model(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: svc, namespace: demo}
            spec:
              clusterIP: 10.96.0.2
              ports:
              - null
              - {name: zero, port: 0}
              - {name: big, port: 70000}
              - {name: Bad_Name, port: 81}
              - {name: http, port: 80}
              - {name: http, port: 82}
            """);
    assertThat(m.services().get(0).ports()).extracting(p -> p.port()).containsExactly(80);
    assertThat(keysOf(m, "demo/svc"))
        .contains(
            "spec.ports[0]",
            "spec.ports[zero].port",
            "spec.ports[big].port",
            "spec.ports[3].name",
            "spec.ports[http]");
  }

  @Test
  void badAddressesAreLeftOut() throws Exception {
    ServiceModel m =
        model(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: svc, namespace: demo}
            spec:
              clusterIPs: [999.1.1.1, 10.96.0.3]
              ports: [{name: http, port: 80}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: svc-1, namespace: demo, labels: {kubernetes.io/service-name: svc}}
            addressType: IPv4
            ports: [{name: http, port: 8080}]
            endpoints:
            - {addresses: [999.1.1.1]}
            - {addresses: [""]}
            - {addresses: ["2001:db8::1"]}
            - {addresses: [10.0.0.9], zone: "zone a\\n", nodeName: "NODE/1"}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: svc-2, namespace: demo, labels: {kubernetes.io/service-name: svc}}
            addressType: IPv4
            ports: [{name: http, port: 0}]
            endpoints: [{addresses: [10.0.0.10]}]
            """);
    var svc = m.services().get(0);
    assertThat(svc.clusterIps()).containsExactly("10.96.0.3");
    var eps = svc.ports().get(0).endpoints();
    assertThat(eps).extracting(e -> e.address()).containsExactly("10.0.0.9");
    assertThat(eps.get(0).zone()).isEmpty();
    assertThat(eps.get(0).nodeName()).isEmpty();
    assertThat(m.diagnostics())
        .extracting(Diagnostic::message)
        .anySatisfy(msg -> assertThat(msg).contains("3 endpoint address(es)", "999.1.1.1"))
        .anySatisfy(msg -> assertThat(msg).contains("svc-2: 0"))
        .anySatisfy(msg -> assertThat(msg).contains("not IP addresses: 999.1.1.1"));
  }

  @Test
  void aHugeAnnotationValueIsRefusedBeforeItIsParsed() throws Exception {
    String huge = "cookie:" + "a".repeat(1024 * 1024);
    ServiceModel m =
        model(
            """
            apiVersion: v1
            kind: Service
            metadata:
              name: svc
              namespace: demo
              annotations: {fairlead.io/hash-on: "%s", fairlead.io/session-persistence: "cookie:%s"}
            spec: {clusterIP: 10.96.0.4, ports: [{name: http, port: 80}]}
            """
                .formatted(huge, "b".repeat(300)));
    assertThat(m.services().get(0).ports().get(0).policy().affinity().hashKeys()).isEmpty();
    assertThat(m.services().get(0).ports().get(0).policy().affinity().sessionPersistence())
        .isEmpty();
    assertThat(m.diagnostics())
        .extracting(Diagnostic::message)
        .anySatisfy(msg -> assertThat(msg).contains("at most 2048"))
        .anySatisfy(msg -> assertThat(msg).contains("cookie name of 300 characters"))
        .allSatisfy(msg -> assertThat(msg.length()).isLessThan(4096));
  }

  private static void refused(String text, String reason) {
    // generous for a loaded 2-core machine: the hazard is unbounded expansion, not a slow second
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () ->
            assertThatThrownBy(() -> KubeYaml.parse("hostile.yaml", text))
                .isInstanceOf(KubeYaml.InvalidInputException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").contains(reason)));
  }

  @Test
  void hostileYamlShapesAreOneLineErrorsNotCrashes() {
    refused(
        "apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: b}\nspec: &s\n  ports: [*s]\n",
        "refers to a collection that contains it");
    refused("a: " + "[".repeat(5000) + "]".repeat(5000), "nested deeper than 64");
    refused("{\"a\": " + "[".repeat(5000) + "]".repeat(5000) + "}", "nesting depth");
    StringBuilder laughs = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'j'; c++) {
      String prev = String.valueOf((char) (c - 1));
      laughs
          .append(c)
          .append(": &")
          .append(c)
          .append(" [")
          .append(String.join(", ", java.util.Collections.nCopies(9, "*" + prev)))
          .append("]\n");
    }
    refused(laughs.toString(), "aliases expand to more than");
    refused("a: \"" + "x".repeat(2 * 1024 * 1024) + "\"\n", "a Kubernetes object is at most");
    refused("a: b\n".repeat(4 * 1024 * 1024), "too large");
  }
}
