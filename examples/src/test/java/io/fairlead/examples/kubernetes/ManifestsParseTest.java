package io.fairlead.examples.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ManifestsParseTest {

  private static final Set<Class<?>> CLUSTER_SCOPED =
      Set.of(Namespace.class, ClusterRole.class, ClusterRoleBinding.class);

  @TestFactory
  Stream<DynamicTest> everyManifestParsesStrictlyIntoTypedObjects() {
    List<Path> files = ExampleManifests.manifestFiles();
    assertThat(files).hasSizeGreaterThanOrEqualTo(20);
    return files.stream()
        .map(
            file ->
                DynamicTest.dynamicTest(
                    file.toString(),
                    () -> {
                      List<HasMetadata> objects = ExampleManifests.parse(file);
                      assertThat(objects).as("objects in %s", file).isNotEmpty();
                      for (HasMetadata o : objects) {
                        assertThat(o.getMetadata().getName()).as("name in %s", file).isNotBlank();
                        if (CLUSTER_SCOPED.contains(o.getClass())) {
                          assertThat(o.getMetadata().getNamespace())
                              .as("%s is cluster-scoped", o.getKind())
                              .isNull();
                        } else {
                          // explicit namespaces: every directory applies on its own, with or
                          // without kustomize
                          assertThat(o.getMetadata().getNamespace())
                              .as("namespace of %s in %s", o.getKind(), file)
                              .isNotBlank();
                        }
                      }
                    }));
  }

  @Test
  void misspeltFieldsFailAtAnyDepth() {
    String deployment =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: a}
        spec:
          replicas: 1
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
                - name: web
                  image: web:1
                  %s
        """;
    assertThat(StrictKubeYaml.parse("ok", deployment.formatted("imagePullPolicy: Always")))
        .hasSize(1);
    assertThatThrownBy(
            () -> StrictKubeYaml.parse("bad", deployment.formatted("imagePullPolicyy: Always")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad document 1")
        .hasMessageContaining("imagePullPolicyy");
    assertThatThrownBy(
            () ->
                StrictKubeYaml.parse(
                    "top", "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspecs: {}\n"))
        .hasMessageContaining("specs");
    assertThatThrownBy(
            () ->
                StrictKubeYaml.parse(
                    "kind", "apiVersion: batch/v1\nkind: Job\nmetadata: {name: a}\n"))
        .hasMessageContaining("batch/v1/Job");
  }

  @TestFactory
  Stream<DynamicTest> kustomizationsListExactlyTheFilesPresent() throws IOException {
    List<Path> kustomizations = ExampleManifests.kustomizationFiles();
    assertThat(kustomizations)
        .containsExactlyInAnyOrder(
            ExampleManifests.ROOT.resolve("kustomization.yaml"),
            ExampleManifests.ROOT.resolve("fairlead/kustomization.yaml"),
            ExampleManifests.ROOT.resolve("sidecar-example/kustomization.yaml"),
            ExampleManifests.ROOT.resolve("gateway/kustomization.yaml"),
            ExampleManifests.ROOT.resolve("mtls/kustomization.yaml"));
    return kustomizations.stream()
        .map(file -> DynamicTest.dynamicTest(file.toString(), () -> checkKustomization(file)));
  }

  private static void checkKustomization(Path file) throws IOException {
    Kustomization k = Kustomization.read(file);
    assertThat(k.apiVersion()).isEqualTo("kustomize.config.k8s.io/v1beta1");
    assertThat(k.kind()).isEqualTo("Kustomization");
    Path dir = file.getParent();
    Set<String> expectedResources = new TreeSet<>();
    Set<String> expectedGenerated = new TreeSet<>();
    try (Stream<Path> children = Files.walk(dir)) {
      for (Path p : children.filter(p -> !p.equals(dir)).toList()) {
        Path rel = dir.relativize(p);
        if (ownedBySubKustomization(dir, p)) {
          // an overlay (mtls/) is applied instead of the directories it builds on, not with them
          if (Files.isDirectory(p) && p.getParent().equals(dir) && !isOverlay(p)) {
            expectedResources.add(rel.toString());
          }
        } else if (Files.isRegularFile(p)
            && !rel.toString().equals(ExampleManifests.KUSTOMIZATION)) {
          if (p.getParent().equals(dir) && rel.toString().endsWith(".yaml")) {
            expectedResources.add(rel.toString());
          } else {
            expectedGenerated.add(rel.toString());
          }
        }
      }
    }
    for (String base : k.bases()) {
      assertThat(dir.resolve(base).resolve(ExampleManifests.KUSTOMIZATION))
          .as("base %s of %s", base, file)
          .exists();
      expectedResources.add(base);
    }
    assertThat(k.resources()).as("resources of %s", file).doesNotHaveDuplicates();
    assertThat(new TreeSet<>(k.resources()))
        .as("resources of %s", file)
        .isEqualTo(expectedResources);
    List<String> generated =
        k.configMapGenerator().stream().flatMap(g -> g.files().stream()).toList();
    assertThat(generated).as("configMapGenerator files of %s", file).doesNotHaveDuplicates();
    assertThat(new TreeSet<>(generated))
        .as("configMapGenerator files of %s", file)
        .isEqualTo(expectedGenerated);
    for (Kustomization.Image image : k.images()) {
      // one image tag for Fairlead everywhere: the version the build produces
      assertThat(image.name()).isEqualTo("fairlead");
      assertThat(image.newTag()).isEqualTo("0.1.0-SNAPSHOT");
    }
  }

  static boolean isOverlay(Path dir) {
    Path file = dir.resolve(ExampleManifests.KUSTOMIZATION);
    return Files.exists(file) && !Kustomization.read(file).bases().isEmpty();
  }

  /** Whether p lies in a directory below dir that has its own kustomization.yaml. */
  private static boolean ownedBySubKustomization(Path dir, Path p) {
    for (Path d = Files.isDirectory(p) ? p : p.getParent(); !d.equals(dir); d = d.getParent()) {
      if (Files.exists(d.resolve(ExampleManifests.KUSTOMIZATION))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void everyDirectoryCreatesTheNamespacesItUses() {
    for (Path file : ExampleManifests.kustomizationFiles()) {
      Path dir = file.getParent();
      if (dir.equals(ExampleManifests.ROOT)) {
        continue;
      }
      Set<String> created = new TreeSet<>();
      Set<String> used = new TreeSet<>();
      for (ExampleManifests.Entry e : ExampleManifests.all()) {
        if (!e.file().startsWith(dir)) {
          continue;
        }
        if (e.object() instanceof Namespace ns) {
          created.add(ns.getMetadata().getName());
        } else if (e.object().getMetadata().getNamespace() != null) {
          used.add(e.object().getMetadata().getNamespace());
        }
      }
      Kustomization.read(file).configMapGenerator().forEach(g -> used.add(g.namespace()));
      for (String base :
          Kustomization.read(file).bases()) { // an overlay's bases create its namespaces
        Path baseDir = dir.resolve(base).normalize();
        ExampleManifests.all().stream()
            .filter(
                e -> e.file().normalize().startsWith(baseDir) && e.object() instanceof Namespace)
            .forEach(e -> created.add(e.object().getMetadata().getName()));
        Kustomization.read(baseDir.resolve(ExampleManifests.KUSTOMIZATION))
            .configMapGenerator()
            .forEach(g -> used.add(g.namespace()));
        ExampleManifests.all().stream()
            .filter(
                e ->
                    e.file().normalize().startsWith(baseDir)
                        && e.object().getMetadata().getNamespace() != null)
            .forEach(e -> used.add(e.object().getMetadata().getNamespace()));
      }
      assertThat(created).as("namespaces created in %s", dir).isEqualTo(used);
    }
  }
}
