package io.fairlead.examples.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What `kubectl kustomize` renders, where kubectl is installed (skipped otherwise). */
class KustomizeBuildTest {

  private static List<HasMetadata> build(String dir) throws Exception {
    assumeTrue(Executables.onPath("kubectl").isPresent(), "no kubectl on PATH");
    Executables.Result r = Executables.run(List.of("kubectl", "kustomize", dir), Map.of(), 120);
    assertThat(r.status()).as(r.err()).isZero();
    return StrictKubeYaml.parse("kubectl kustomize " + dir, r.out());
  }

  @Test
  void theWholeTreeRendersEveryObjectPlusTheCaptureConfigMap() throws Exception {
    List<HasMetadata> rendered = build(ExampleManifests.ROOT.toString());
    long overlays =
        ExampleManifests.all().stream()
            .filter(e -> e.file().startsWith(ExampleManifests.ROOT.resolve("mtls")))
            .count();
    assertThat(rendered)
        .as("everything but the mtls overlay, and the capture ConfigMap")
        .hasSize((int) (ExampleManifests.all().size() - overlays) + 1);

    ConfigMap capture =
        rendered.stream()
            .filter(ConfigMap.class::isInstance)
            .map(ConfigMap.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(capture.getMetadata().getName()).startsWith("fairlead-capture-");
    assertThat(capture.getMetadata().getNamespace()).isEqualTo("fairlead-demo");
    assertThat(capture.getData()).containsOnlyKeys("fairlead-capture.sh");
    assertThat(capture.getData().get("fairlead-capture.sh"))
        .isEqualTo(
            ExampleManifests.read(
                ExampleManifests.ROOT.resolve("sidecar-example/capture/fairlead-capture.sh")));

    Deployment client =
        rendered.stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .filter(d -> d.getMetadata().getName().equals("greeter-client"))
            .findFirst()
            .orElseThrow();
    Volume volume =
        client.getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getName().equals("capture"))
            .findFirst()
            .orElseThrow();
    // kustomize renames the generated ConfigMap (content hash) and follows the reference
    assertThat(volume.getConfigMap().getName()).isEqualTo(capture.getMetadata().getName());

    List<String> fairleadImages = new ArrayList<>();
    for (HasMetadata o : rendered) {
      if (o instanceof Deployment d) {
        var pod = d.getSpec().getTemplate().getSpec();
        List<Container> all = new ArrayList<>(pod.getContainers());
        if (pod.getInitContainers() != null) {
          all.addAll(pod.getInitContainers());
        }
        all.stream()
            .map(Container::getImage)
            .filter(i -> i.startsWith("fairlead"))
            .forEach(fairleadImages::add);
      }
    }
    assertThat(fairleadImages).hasSize(4).containsOnly("fairlead:0.1.0-SNAPSHOT");
  }

  @Test
  void eachDirectoryRendersOnItsOwn() throws Exception {
    for (String dir : List.of("fairlead", "sidecar-example", "gateway")) {
      List<HasMetadata> rendered = build(ExampleManifests.ROOT.resolve(dir).toString());
      long raw =
          ExampleManifests.all().stream()
              .filter(e -> e.file().startsWith(ExampleManifests.ROOT.resolve(dir)))
              .count();
      assertThat(rendered).as(dir).hasSize((int) raw + (dir.equals("sidecar-example") ? 1 : 0));
    }
    // the overlay: its bases, its own objects and the capture ConfigMap, with the patches applied
    List<HasMetadata> mtls = build(ExampleManifests.ROOT.resolve("mtls").toString());
    long raw =
        ExampleManifests.all().stream()
            .filter(
                e ->
                    List.of("fairlead", "sidecar-example", "mtls").stream()
                        .anyMatch(d -> e.file().startsWith(ExampleManifests.ROOT.resolve(d))))
            .count();
    assertThat(mtls).as("mtls").hasSize((int) raw + 1);
    assertThat(mtls.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast))
        .filteredOn(d -> d.getMetadata().getName().equals("fairlead"))
        .singleElement()
        .satisfies(
            d ->
                assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs())
                    .contains("--require-mtls"));
  }
}
