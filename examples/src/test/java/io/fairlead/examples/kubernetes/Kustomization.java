package io.fairlead.examples.kubernetes;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The kustomization.yaml fields the examples use. Read strictly: a field not modelled here fails
 * the test, so a new one is noticed and checked.
 */
record Kustomization(
    String apiVersion,
    String kind,
    List<String> resources,
    List<ConfigMapGenerator> configMapGenerator,
    List<Image> images,
    List<Patch> patches) {

  /** A JSON 6902 patch, inline, and the one object it applies to. */
  record Patch(String patch, Target target) {}

  record Target(String group, String version, String kind, String namespace, String name) {}

  record ConfigMapGenerator(String name, String namespace, List<String> files) {}

  record Image(String name, String newName, String newTag) {}

  Kustomization {
    resources = Objects.requireNonNullElse(resources, List.of());
    configMapGenerator = Objects.requireNonNullElse(configMapGenerator, List.of());
    images = Objects.requireNonNullElse(images, List.of());
    patches = Objects.requireNonNullElse(patches, List.of());
  }

  /**
   * The other kustomization directories this one builds on ({@code ../name}), if it is an overlay.
   */
  List<String> bases() {
    return resources.stream().filter(r -> r.startsWith("../")).toList();
  }

  static Kustomization read(Path file) {
    List<Object> docs = StrictKubeYaml.documents(file.toString(), ExampleManifests.read(file));
    if (docs.size() != 1) {
      throw new IllegalArgumentException(file + ": expected one document, found " + docs.size());
    }
    return StrictKubeYaml.convert(file.toString(), docs.get(0), Kustomization.class);
  }
}
