package io.fairlead.translators.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Service;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Subject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KubeYamlTest {

  static final String SERVICE =
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: web
        namespace: shop
      spec:
        clusterIP: 10.96.0.10
        ports:
        - name: http
          port: 80
      """;

  static final String SLICE =
      """
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata:
        name: web-abc
        namespace: shop
        labels: {kubernetes.io/service-name: web}
      addressType: IPv4
      endpoints:
      - addresses: ["10.0.0.1"]
      """;

  private static KubeYaml.Parsed parse(String text) throws KubeYaml.InvalidInputException {
    return KubeYaml.parse("in.yaml", text);
  }

  @Test
  void readsOnlyAPodsMetadata() throws Exception {
    KubeYaml.Parsed parsed =
        parse(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web-1
              resourceVersion: "9"
              annotations: {fairlead.io/weight: "3"}
            spec: {anything: [goes, here]}
            status: {phase: Running}
            """);
    assertThat(parsed.pods())
        .containsExactly(
            new io.fairlead.translators.PodMetadata(
                io.fairlead.policies.ObjectRef.parse("default/web-1"),
                "9",
                java.util.Optional.of("3")));
    assertThat(parsed.diagnostics()).isEmpty();
    assertThat(failure("apiVersion: v1\nkind: Pod\nmetadata: {namespace: a}\n"))
        .isEqualTo("in.yaml: document 1 (Pod) at line 1: Pod has no metadata.name");
  }

  private static String failure(String text) {
    try {
      parse(text);
    } catch (KubeYaml.InvalidInputException e) {
      assertThat(e.getMessage()).doesNotContain("\n").isEqualTo(e.source() + ": " + e.problem());
      return e.getMessage();
    }
    throw new AssertionError("expected a failure for:\n" + text);
  }

  @Test
  void readsDocumentsInOrderAndSkipsEmptyOnes() throws Exception {
    KubeYaml.Parsed parsed = parse("---\n" + SERVICE + "---\n---\n" + SLICE + "---\n");

    assertThat(parsed.services()).extracting(s -> s.getMetadata().getName()).containsExactly("web");
    assertThat(parsed.endpointSlices())
        .extracting(s -> s.getMetadata().getName())
        .containsExactly("web-abc");
    assertThat(parsed.endpointSlices().get(0).getEndpoints().get(0).getAddresses())
        .containsExactly("10.0.0.1");
    assertThat(parsed.diagnostics()).isEmpty();
  }

  @Test
  void anEmptySourceHasNoObjects() throws Exception {
    KubeYaml.Parsed parsed = parse("# nothing here\n");

    assertThat(parsed.services()).isEmpty();
    assertThat(parsed.endpointSlices()).isEmpty();
    assertThat(parsed.diagnostics()).isEmpty();
  }

  @Test
  void aMissingNamespaceBecomesDefault() throws Exception {
    Service s = parse("apiVersion: v1\nkind: Service\nmetadata: {name: bare}\n").services().get(0);

    assertThat(s.getMetadata().getNamespace()).isEqualTo("default");
  }

  @Test
  void yesAndOnStayStrings() throws Exception {
    Service s =
        parse(
                """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          annotations:
            fairlead.io/a: yes
            fairlead.io/b: on
        """)
            .services()
            .get(0);

    assertThat(s.getMetadata().getAnnotations())
        .containsEntry("fairlead.io/a", "yes")
        .containsEntry("fairlead.io/b", "on");
  }

  @Test
  void readsJsonListsAndReportsIgnoredKindsOnce() throws Exception {
    KubeYaml.Parsed parsed =
        parse(
            """
        {"apiVersion": "v1", "kind": "List", "items": [
          {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}},
          {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "shop"}}
        ]}
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}
        """);

    assertThat(parsed.services()).extracting(s -> s.getMetadata().getName()).containsExactly("web");
    assertThat(parsed.diagnostics())
        .containsExactly(
            Diagnostic.info(
                Reason.IGNORED_OBJECTS,
                new Subject.Source("in.yaml", "kind"),
                "ignored 2 object(s) of kinds other than v1 Service,"
                    + " discovery.k8s.io/v1 EndpointSlice and v1 Pod: v1 ConfigMap shop/cfg, apps/v1 Deployment web"));
  }

  @Test
  void readsATopLevelSequenceAndTypedLists() throws Exception {
    KubeYaml.Parsed parsed =
        parse(
            """
        - apiVersion: v1
          kind: Service
          metadata: {name: a}
        -
        ---
        apiVersion: v1
        kind: ServiceList
        items:
        - apiVersion: v1
          kind: Service
          metadata: {name: b}
        ---
        [{"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {"name": "c"}, "addressType": "IPv4"}]
        """);

    assertThat(parsed.services())
        .extracting(s -> s.getMetadata().getName())
        .containsExactly("a", "b");
    assertThat(parsed.endpointSlices())
        .extracting(s -> s.getMetadata().getName())
        .containsExactly("c");
  }

  @Test
  void readsUtf8BytesWithOrWithoutAByteOrderMark() throws Exception {
    byte[] plain = SERVICE.getBytes(StandardCharsets.UTF_8);
    byte[] bom = ("\uFEFF" + SERVICE).getBytes(StandardCharsets.UTF_8);

    assertThat(KubeYaml.parse("a.yaml", plain).services()).hasSize(1);
    assertThat(KubeYaml.parse("a.yaml", bom).services()).hasSize(1);
  }

  @Test
  void bytesThatAreNotUtf8Fail() {
    assertThatThrownBy(() -> KubeYaml.parse("a.yaml", new byte[] {'k', 'i', (byte) 0xC3, 0x28}))
        .isInstanceOf(KubeYaml.InvalidInputException.class)
        .hasMessage("a.yaml: not valid UTF-8 text");
  }

  @Test
  void invalidYamlGivesTheLineAndColumn() {
    assertThat(failure("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels: {x: [\n"))
        .isEqualTo(
            "in.yaml: invalid YAML at line 6, column 1: expected the node content, but found"
                + " '<stream end>' (while parsing a flow node)");
  }

  @Test
  void invalidJsonGivesTheLineAndColumn() {
    assertThat(failure("{\"apiVersion\": \"v1\",\n \"kind\": }"))
        .startsWith("in.yaml: invalid JSON at line 2, column 10: Unexpected character ('}'");
  }

  @Test
  void aDuplicateKeyIsAnError() {
    assertThat(failure("apiVersion: v1\nkind: Service\nmetadata: {name: a}\nkind: Service\n"))
        .startsWith("in.yaml: invalid YAML at line 4")
        .contains("duplicate key kind");
  }

  @Test
  void anUnknownFieldIsAnErrorNamingIt() {
    assertThat(failure(SERVICE.replace("clusterIP:", "clusterIPP:")))
        .isEqualTo(
            "in.yaml: document 1 (Service web) at line 7: spec.clusterIPP: unknown field"
                + " (did you mean clusterIP or clusterIPs?)");
    assertThat(failure(SLICE.replace("addresses:", "adresses:")))
        .isEqualTo(
            "in.yaml: document 1 (EndpointSlice web-abc) at line 9: endpoints[0].adresses:"
                + " unknown field (did you mean addresses?)");
    assertThat(failure(SERVICE.replace("clusterIP:", "flavour:")))
        .endsWith("spec.flavour: unknown field");
  }

  @Test
  void aWrongFieldTypeNamesTheDocumentLineAndField() {
    assertThat(failure(SERVICE + "---\n" + SERVICE.replace("port: 80", "port: http")))
        .startsWith("in.yaml: document 2 (Service web) at line 21: spec.ports[0].port: ")
        .contains("\"http\"");
  }

  @Test
  void anItemOfAListIsNamedInErrors() {
    assertThat(
            failure(
                """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Service
          metadata: {name: a}
          spec: {typo: 1}
        """))
        .isEqualTo(
            "in.yaml: document 1 (List) item 1 (Service a) at line 7: spec.typo: unknown field (did you mean type?)");
  }

  @Test
  void aDocumentWithoutKindIsAnError() {
    assertThat(failure("metadata: {name: a}\n"))
        .isEqualTo("in.yaml: document 1 (? a) at line 1: apiVersion and kind are required");
  }

  @Test
  void aScalarDocumentIsAnError() {
    assertThat(failure("just words\n"))
        .isEqualTo(
            "in.yaml: document 1 at line 1: expected a Kubernetes object (a mapping with apiVersion and kind)");
  }

  @Test
  void aServiceWithoutNameIsAnError() {
    assertThat(failure("apiVersion: v1\nkind: Service\nspec: {}\n"))
        .isEqualTo("in.yaml: document 1 (Service) at line 1: Service has no metadata.name");
  }

  @Test
  void aBetaEndpointSliceIsIgnoredNotRead() throws Exception {
    KubeYaml.Parsed parsed =
        parse(
            "apiVersion: discovery.k8s.io/v1beta1\nkind: EndpointSlice\nmetadata: {name: s}\naddressType: IPv4\n");

    assertThat(parsed.endpointSlices()).isEmpty();
    assertThat(parsed.diagnostics())
        .singleElement()
        .extracting(Diagnostic::message)
        .asString()
        .endsWith(": discovery.k8s.io/v1beta1 EndpointSlice s");
  }
}
