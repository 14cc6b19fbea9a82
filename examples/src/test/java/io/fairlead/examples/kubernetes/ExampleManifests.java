package io.fairlead.examples.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The manifests under examples/kubernetes, read strictly. */
final class ExampleManifests {

  /** Surefire runs in the module directory. */
  static final Path ROOT = Path.of("kubernetes");

  static final String KUSTOMIZATION = "kustomization.yaml";

  /** One object and the file it came from. */
  record Entry(Path file, HasMetadata object) {}

  private ExampleManifests() {}

  /** Every manifest file (kustomization.yaml files excluded), sorted. */
  static List<Path> manifestFiles() {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files
          .filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().endsWith(".yaml"))
          .filter(p -> !p.getFileName().toString().equals(KUSTOMIZATION))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Path> kustomizationFiles() {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files.filter(p -> p.getFileName().toString().equals(KUSTOMIZATION)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<HasMetadata> parse(Path file) {
    return StrictKubeYaml.parse(file.toString(), read(file));
  }

  /** Every object of every manifest, parsed once per test JVM; callers must not mutate them. */
  static List<Entry> all() {
    return All.ENTRIES;
  }

  private static final class All {
    static final List<Entry> ENTRIES = load();

    private static List<Entry> load() {
      List<Entry> out = new ArrayList<>();
      for (Path file : manifestFiles()) {
        parse(file).forEach(o -> out.add(new Entry(file, o)));
      }
      return List.copyOf(out);
    }
  }

  static <T extends HasMetadata> List<T> ofKind(Class<T> type) {
    return all().stream().map(Entry::object).filter(type::isInstance).map(type::cast).toList();
  }

  static Deployment deployment(String namespace, String name) {
    return ofKind(Deployment.class).stream()
        .filter(
            d ->
                d.getMetadata().getNamespace().equals(namespace)
                    && d.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Deployment " + namespace + "/" + name));
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
