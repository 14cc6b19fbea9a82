package io.fairlead.translators.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fairlead.policies.AnnotationRegistry;
import io.fairlead.policies.HashKey;
import io.fairlead.policies.LoadBalancing;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.Provenance;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Severity;
import io.fairlead.policies.Subject;
import io.fairlead.translators.model.EndpointHealth;
import io.fairlead.translators.model.ServiceModel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ModelYamlTest {

  /** A small model, as a person would write it for a golden case. */
  static final String MODEL =
      """
      # one Service, one port
      diagnostics:
      - key: fairlead.io/hash-on
        message: something to say
        object: demo/web
        port: http
        reason: SettingIgnored
        severity: warning
      services:
      - clusterIps:
        - 10.96.0.1
        ports:
        - endpoints:
          - address: 10.0.0.1
            health: draining
            hostname: 10.0.0.1
            port: 8080
            zone: zone-a
          policy:
            affinity:
              hashKeys:
              - name: x-user
                type: header
              - prefixV4: 24
                prefixV6: 64
                type: source-ip
              portAffinity: false
            balancing:
              algorithm:
                maxRingSize: 2048
                minRingSize: 1024
                type: ring-hash
              slowStart: 1m30s
            port:
              name: http
              port: 8080
              transport: TCP
            protocol: http2
            provenance:
              hash-on: port-annotation
              lb-policy: annotation
            resilience: {}
            timeouts: {}
            topology:
              nodeLocal: false
              preferClose: true
            traffic: {}
        ref: demo/web
      """;

  @Test
  void readsEveryKindOfValue() {
    ServiceModel model = ModelYaml.read("model.in.yaml", MODEL);
    var service = model.services().get(0);
    assertThat(service.ref()).isEqualTo(new ObjectRef("demo", "web"));
    assertThat(service.exportTo()).isEmpty();
    var port = service.ports().get(0);
    assertThat(port.endpoints().get(0).health()).isEqualTo(EndpointHealth.DRAINING);
    assertThat(port.endpoints().get(0).zone()).contains("zone-a");
    assertThat(port.endpoints().get(0).podName()).isEmpty();
    assertThat(port.policy().affinity().hashKeys())
        .containsExactly(new HashKey.Header("x-user"), new HashKey.SourceIp(24, 64));
    assertThat(port.policy().balancing().algorithm())
        .isEqualTo(new LoadBalancing.RingHash(1024, 2048));
    assertThat(port.policy().balancing().slowStart()).contains(Duration.ofSeconds(90));
    assertThat(port.policy().provenance())
        .isEqualTo(
            Map.of(
                AnnotationRegistry.HASH_ON,
                Provenance.PORT_ANNOTATION,
                AnnotationRegistry.LB_POLICY,
                Provenance.ANNOTATION));
    assertThat(model.diagnostics()).hasSize(1);
    var d = model.diagnostics().get(0);
    assertThat(d.severity()).isEqualTo(Severity.WARNING);
    assertThat(d.reason()).isEqualTo(Reason.NO_EFFECT);
    assertThat(d.subject())
        .isEqualTo(
            new Subject.Kube(
                new ObjectRef("demo", "web"), Optional.of("http"), "fairlead.io/hash-on"));
  }

  @Test
  void printingAndReadingAgain() {
    ServiceModel model = ModelYaml.read("model.in.yaml", MODEL);
    assertThat(ModelYaml.read("again", ModelYaml.print(model))).isEqualTo(model);
  }

  /** A change to {@link #MODEL}, and the one line it must be refused with. */
  static Stream<Arguments> mistakes() {
    return Stream.of(
        Arguments.of(
            "        slowStart: 1m30s",
            "        slowStart: 1m30s\n        slowstart: 2s",
            "model.in.yaml: services[0].ports[0].policy.balancing.slowstart: unknown field of Balancing; expected algorithm, hashBalanceFactor, slowStart, panicThreshold, slowStartAggression, slowStartMinWeight"),
        Arguments.of(
            "  ref: demo/web",
            "  name: web",
            "model.in.yaml: services[0].name: unknown field of ServiceEntry; expected ref, clusterIps, ports, exportTo"),
        Arguments.of(
            "      hostname: 10.0.0.1\n",
            "\n",
            "model.in.yaml: services[0].ports[0].endpoints[0].hostname: missing (required in EndpointEntry; only an Optional may be left out)"),
        Arguments.of(
            "diagnostics:",
            "diagnosticz:",
            "model.in.yaml: diagnosticz: unknown field of ServiceModel; expected services, diagnostics"),
        Arguments.of(
            "          type: ring-hash",
            "          type: ring",
            "model.in.yaml: services[0].ports[0].policy.balancing.algorithm.type: unknown LoadBalancing 'ring'; expected one of least-request, maglev, random, ring-hash, round-robin, weighted-round-robin"),
        Arguments.of(
            "    type: header",
            "    type: Header",
            "model.in.yaml: services[0].ports[0].policy.affinity.hashKeys[0].type: unknown HashKey 'Header'; expected one of channel-id, cookie, header, query, source-ip"),
        Arguments.of(
            "health: draining",
            "health: drained",
            "model.in.yaml: services[0].ports[0].endpoints[0].health: 'drained' is not one of healthy, draining, unhealthy"),
        Arguments.of(
            "slowStart: 1m30s",
            "slowStart: 90",
            "model.in.yaml: services[0].ports[0].policy.balancing.slowStart: expected a duration such as 30s, not 90"),
        Arguments.of(
            "slowStart: 1m30s",
            "slowStart: soon",
            "model.in.yaml: services[0].ports[0].policy.balancing.slowStart: 'soon' is not a duration; expected e.g. 30s, 5m, 1h30m, 250ms"),
        Arguments.of(
            "  ref: demo/web",
            "  ref: web",
            "model.in.yaml: services[0].ref: 'web' is not namespace/name"),
        Arguments.of(
            "lb-policy: annotation",
            "lb-policie: annotation",
            "model.in.yaml: services[0].ports[0].policy.provenance.lb-policie: 'lb-policie' is not an annotation key (name it without fairlead.io/)"),
        Arguments.of(
            "port: 8080\n        transport",
            "port: '8080'\n        transport",
            "model.in.yaml: services[0].ports[0].policy.port.port: expected a whole number, not '8080'"),
        Arguments.of(
            "prefixV4: 24",
            "prefixV4: 4294967296",
            "model.in.yaml: services[0].ports[0].policy.affinity.hashKeys[1].prefixV4: 4294967296 is out of range -2147483648 to 2147483647"),
        Arguments.of(
            "portAffinity: false",
            "portAffinity: 'no'",
            "model.in.yaml: services[0].ports[0].policy.affinity.portAffinity: expected true or false, not 'no'"),
        Arguments.of(
            "      slowStart: 1m30s",
            "      slowStart:",
            "model.in.yaml: services[0].ports[0].policy.balancing.slowStart: is null; leave an Optional out instead"),
        Arguments.of(
            "reason: SettingIgnored",
            "reason: settingignored",
            "model.in.yaml: diagnostics[0].reason: 'settingignored' is not one of InvalidAnnotation, UnknownAnnotation, UnknownPort, ServiceWideAnnotation, SettingIgnored, ConflictingSettings, ClientDowngrade, NativeField, InvalidObject, Unsupported, OrphanEndpointSlice, NoEndpoints, AddressConflict, RouteConflict, InternalError, SourceDegraded, UnreadableManifest, EmptySource, IdentityRefused, IgnoredObjects"),
        Arguments.of(
            "  port: http\n",
            "  port: http\n  line: 3\n",
            "model.in.yaml: diagnostics[0].line: unknown field of a diagnostic; expected severity, reason, object, port, key, message"),
        Arguments.of(
            "  message: something to say\n", "", "model.in.yaml: diagnostics[0].message: missing"),
        Arguments.of(
            "- address: 10.0.0.1",
            "- address: 10.0.0.1\n      address: 10.0.0.2",
            "model.in.yaml: not YAML: Duplicate field 'address'"));
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource("mistakes")
  void refusesAnythingElseWithOneLineNamingThePath(String from, String to, String message) {
    String text = MODEL.replace(from, to);
    assertThat(text).as("the mutation applies").isNotEqualTo(MODEL);
    assertThatThrownBy(() -> ModelYaml.read("model.in.yaml", text))
        .isInstanceOf(ModelYaml.Invalid.class)
        .hasMessage(message);
  }

  @Test
  void listsAreRequiredEvenWhenEmpty() {
    assertThatThrownBy(() -> ModelYaml.read("m", "services: []\n"))
        .isInstanceOf(ModelYaml.Invalid.class)
        .hasMessage(
            "m: diagnostics: missing (required in ServiceModel; only an Optional may be left out)");
    assertThat(ModelYaml.read("m", "services: []\ndiagnostics: []\n"))
        .isEqualTo(new ServiceModel(List.of(), List.of()));
    assertThatThrownBy(() -> ModelYaml.read("m", "# nothing\n"))
        .isInstanceOf(ModelYaml.Invalid.class)
        .hasMessage("m: empty; expected a map with services and diagnostics");
  }
}
