package io.fairlead.k8s;

import static io.fairlead.k8s.DirectorySourceTest.service;
import static io.fairlead.k8s.DirectorySourceTest.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Subject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-shot read used by {@code translate} and {@code explain}: files and directories, merging,
 * and one-line failures. How a file is parsed is tested in KubeYamlTest.
 */
class DirectoryLoadTest {

  @TempDir Path dir;

  @Test
  void readsAMultiDocumentFileOfAnyName() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("input.txt"),
            "---\n"
                + service("default", "web", "x")
                + "---\n---\n"
                + slice("default", "web", "10.0.0.1"));

    LoadResult result = DirectorySource.load(file);

    assertThat(result.state().services()).containsOnlyKeys(new ObjectRef("default", "web"));
    assertThat(result.state().endpointSlices())
        .containsOnlyKeys(new ObjectRef("default", "web-abc"));
    assertThat(result.diagnostics()).isEmpty();
  }

  @Test
  void readsPodsMetadataOnlyAndWarnsAboutAPodDefinedTwice() throws Exception {
    Files.writeString(
        dir.resolve("a.yaml"),
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-1
          annotations: {fairlead.io/weight: '3', other: x}
          resourceVersion: '7'
        spec:
          containers: [{name: app, image: example/app:1}]
          notAPodField: 'the spec is not read, so not checked'
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web-2, namespace: shop}
        """);
    Files.writeString(
        dir.resolve("b.yaml"),
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: web-1, annotations: {fairlead.io/weight: '4'}}
        """);

    LoadResult result = DirectorySource.load(dir);

    assertThat(result.state().pods())
        .containsOnlyKeys(new ObjectRef("default", "web-1"), new ObjectRef("shop", "web-2"));
    assertThat(result.state().pods().get(new ObjectRef("default", "web-1")))
        .isEqualTo(
            new io.fairlead.translators.PodMetadata(
                new ObjectRef("default", "web-1"), "", java.util.Optional.of("4")));
    assertThat(result.state().pods().get(new ObjectRef("shop", "web-2")).weight()).isEmpty();
    assertThat(result.diagnostics())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.reason()).isEqualTo(Reason.INVALID_OBJECT);
              assertThat(d.message()).startsWith("Pod defined more than once");
            });
  }

  @Test
  void aPodWithAnUnknownMetadataFieldIsRefused() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("pod.yaml"),
            "apiVersion: v1\nkind: Pod\nmetadata: {name: web-1, annotatoins: {a: b}}\n");
    assertThatThrownBy(() -> DirectorySource.load(file)).hasMessageContaining("annotatoins");
  }

  @Test
  void readsADirectoryInPathOrderAndWarnsAboutDuplicates() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), service("default", "web", "first"));
    Files.createDirectories(dir.resolve("b"));
    Files.writeString(
        dir.resolve("b/c.json"),
        """
        {"apiVersion": "v1", "kind": "List", "items": [
          {"apiVersion": "v1", "kind": "Service",
           "metadata": {"name": "web", "namespace": "default", "annotations": {"fairlead.io/lb": "second"}}},
          {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default"}}
        ]}
        """);

    LoadResult result = DirectorySource.load(dir);

    assertThat(
            result
                .state()
                .services()
                .get(new ObjectRef("default", "web"))
                .getMetadata()
                .getAnnotations())
        .containsEntry("fairlead.io/lb", "second");
    // sorted by object: the file path sorts before the namespace/name here
    assertThat(result.diagnostics())
        .containsExactly(
            Diagnostic.info(
                Reason.IGNORED_OBJECTS,
                new Subject.Source(dir.resolve("b/c.json").toString(), "kind"),
                "ignored 1 object(s) of kinds other than v1 Service, discovery.k8s.io/v1"
                    + " EndpointSlice and v1 Pod: v1 ConfigMap default/cfg"),
            Diagnostic.warning(
                Reason.INVALID_OBJECT,
                Subject.of(ObjectRef.parse("default/web"), "file"),
                "Service defined more than once (in "
                    + dir.resolve("a.yaml")
                    + ", then in "
                    + dir.resolve("b/c.json")
                    + "); the last definition wins"));
  }

  @Test
  void anEmptyDirectoryIsAWarning() throws Exception {
    LoadResult result = DirectorySource.load(dir);

    assertThat(result.state().services()).isEmpty();
    assertThat(result.diagnostics())
        .singleElement()
        .extracting(Diagnostic::message)
        .isEqualTo("no .yaml, .yml or .json files found");
  }

  @Test
  void aMissingPathFails() {
    assertThatThrownBy(() -> DirectorySource.load(dir.resolve("nope.yaml")))
        .isInstanceOf(KubeSourceException.class)
        .hasMessage("no such file or directory: " + dir.resolve("nope.yaml"));
  }

  @Test
  void aFileThatDoesNotParseFailsInOneLineNamingIt() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), service("default", "ok", "x"));
    Path typo =
        Files.writeString(
            dir.resolve("b.yaml"), service("default", "web", "x").replace("selector:", "selectr:"));

    assertThatThrownBy(() -> DirectorySource.load(dir))
        .isInstanceOf(KubeSourceException.class)
        .hasMessage(
            typo
                + ": document 1 (Service web) at line 9: spec.selectr: unknown field"
                + " (did you mean selector?)");
  }
}
