package io.fairlead.k8s;

import static io.fairlead.k8s.DirectorySourceTest.service;
import static io.fairlead.k8s.DirectorySourceTest.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fairlead.policies.Diagnostic;
import io.fairlead.translators.ObjectRef;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one-shot read used by {@code translate}: broken input fails in one line. */
class DirectoryLoadTest {

  @TempDir Path dir;

  @Test
  void readsAMultiDocumentFileOfAnyName() throws Exception {
    Path file = Files.writeString(dir.resolve("input.txt"),
        "---\n" + service("default", "web", "x") + "---\n---\n" + slice("default", "web", "10.0.0.1"));

    LoadResult result = DirectorySource.load(file);

    assertThat(result.state().services()).containsOnlyKeys(new ObjectRef("default", "web"));
    assertThat(result.state().endpointSlices()).containsOnlyKeys(new ObjectRef("default", "web-abc"));
    assertThat(result.diagnostics()).isEmpty();
  }

  @Test
  void aMissingNamespaceBecomesDefault() throws Exception {
    Path file = Files.writeString(dir.resolve("a.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata: {name: bare}\n");

    var services = DirectorySource.load(file).state().services();

    assertThat(services).containsOnlyKeys(new ObjectRef("default", "bare"));
    assertThat(services.values().iterator().next().getMetadata().getNamespace()).isEqualTo("default");
  }

  @Test
  void readsADirectoryInPathOrderAndWarnsAboutDuplicates() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), service("default", "web", "first"));
    Files.createDirectories(dir.resolve("b"));
    Files.writeString(dir.resolve("b/c.json"), """
        {"apiVersion": "v1", "kind": "List", "items": [
          {"apiVersion": "v1", "kind": "Service",
           "metadata": {"name": "web", "namespace": "default", "annotations": {"fairlead.io/lb": "second"}}},
          {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default"}}
        ]}
        """);

    LoadResult result = DirectorySource.load(dir);

    assertThat(result.state().services().get(new ObjectRef("default", "web"))
            .getMetadata().getAnnotations())
        .containsEntry("fairlead.io/lb", "second");
    // sorted by object: the file path sorts before the namespace/name here
    assertThat(result.diagnostics()).containsExactly(
        Diagnostic.info(dir.resolve("b/c.json").toString(), "file",
            "ignored 1 object(s) of kinds other than v1 Service and discovery.k8s.io/v1"
                + " EndpointSlice: v1 ConfigMap default/cfg"),
        Diagnostic.warning("default/web", "file", "Service defined more than once (in "
            + dir.resolve("a.yaml") + ", then in " + dir.resolve("b/c.json") + "); the last definition wins"));
  }

  @Test
  void anEmptyDirectoryIsAWarning() throws Exception {
    LoadResult result = DirectorySource.load(dir);

    assertThat(result.state().services()).isEmpty();
    assertThat(result.diagnostics()).singleElement()
        .extracting(Diagnostic::message).isEqualTo("no .yaml, .yml or .json files found");
  }

  @Test
  void aMissingPathFails() {
    assertThatThrownBy(() -> DirectorySource.load(dir.resolve("nope.yaml")))
        .isInstanceOf(KubeSourceException.class)
        .hasMessage("no such file or directory: " + dir.resolve("nope.yaml"));
  }

  @Test
  void invalidYamlFailsWithTheLine() throws Exception {
    Path file = Files.writeString(dir.resolve("a.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  labels: {x: [\n");

    assertThatThrownBy(() -> DirectorySource.load(dir))
        .isInstanceOf(KubeSourceException.class)
        .hasMessage(file + ": invalid YAML at line 6, column 1: expected the node content, but found"
            + " '<stream end>' (while parsing a flow node)");
  }

  @Test
  void aDuplicateKeyIsAnError() throws Exception {
    Path file = Files.writeString(dir.resolve("a.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nkind: Service\n");

    assertThatThrownBy(() -> DirectorySource.load(file))
        .hasMessageStartingWith(file + ": invalid YAML at line 4")
        .hasMessageContaining("duplicate key kind");
  }

  @Test
  void aWrongFieldTypeNamesTheDocumentAndField() throws Exception {
    Path file = Files.writeString(dir.resolve("a.yaml"),
        service("default", "ok", "x") + "---\n"
            + "apiVersion: v1\nkind: Service\nmetadata: {name: bad}\nspec:\n  ports:\n  - port: http\n");

    assertThatThrownBy(() -> DirectorySource.load(file))
        .hasMessageStartingWith(file + ": document 2 (Service bad): spec.ports[0].port: ")
        .hasMessageContaining("\"http\"")
        .hasMessageNotContaining("\n");
  }

  @Test
  void aDocumentWithoutKindIsAnError() throws Exception {
    Path file = Files.writeString(dir.resolve("a.yaml"), "metadata: {name: a}\n");

    assertThatThrownBy(() -> DirectorySource.load(file))
        .hasMessage(file + ": document 1 (? a): apiVersion and kind are required");
  }

  @Test
  void aScalarDocumentIsAnError() throws Exception {
    Path file = Files.writeString(dir.resolve("a.yaml"), "just words\n");

    assertThatThrownBy(() -> DirectorySource.load(file))
        .hasMessage(file + ": document 1: expected a Kubernetes object (a mapping with apiVersion and kind)");
  }

  @Test
  void aServiceWithoutNameIsAnError() throws Exception {
    Path file = Files.writeString(dir.resolve("a.yaml"), "apiVersion: v1\nkind: Service\nspec: {}\n");

    assertThatThrownBy(() -> DirectorySource.load(file))
        .hasMessage(file + ": document 1: Service has no metadata.name");
  }

  @Test
  void aBetaEndpointSliceIsIgnoredNotRead() throws Exception {
    Path file = Files.writeString(dir.resolve("a.yaml"),
        "apiVersion: discovery.k8s.io/v1beta1\nkind: EndpointSlice\nmetadata: {name: s}\naddressType: IPv4\n");

    LoadResult result = DirectorySource.load(file);

    assertThat(result.state().endpointSlices()).isEmpty();
    assertThat(result.diagnostics()).singleElement()
        .extracting(Diagnostic::message).asString()
        .endsWith(": discovery.k8s.io/v1beta1 EndpointSlice s");
  }
}
