package io.fairlead.cli;

import io.fairlead.policies.Diagnostic;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.input.KubeYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads a file, or every YAML/JSON file under a directory, into one KubeState. */
final class InputFiles {

  /** The state and the diagnostics of reading it. */
  record Loaded(KubeState state, List<Diagnostic> diagnostics) {}

  private InputFiles() {}

  static Loaded load(Path path) throws KubeYaml.InvalidInputException {
    if (!Files.exists(path)) {
      throw new KubeYaml.InvalidInputException(path + ": no such file or directory");
    }
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(path)) {
      try (Stream<Path> walk = Files.walk(path)) {
        walk.filter(Files::isRegularFile).filter(InputFiles::isManifest).sorted().forEach(files::add);
      } catch (IOException e) {
        throw new KubeYaml.InvalidInputException(path + ": cannot list directory: " + e.getMessage());
      }
    } else {
      files.add(path);
    }
    List<io.fabric8.kubernetes.api.model.Service> services = new ArrayList<>();
    List<io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice> slices = new ArrayList<>();
    List<Diagnostic> diagnostics = new ArrayList<>();
    for (Path f : files) {
      String text;
      try {
        text = Files.readString(f);
      } catch (IOException e) {
        throw new KubeYaml.InvalidInputException(f + ": cannot read: " + e.getMessage());
      }
      KubeYaml.Parsed parsed = KubeYaml.parse(f.toString(), text);
      services.addAll(parsed.services());
      slices.addAll(parsed.endpointSlices());
      diagnostics.addAll(parsed.diagnostics());
    }
    return new Loaded(KubeState.of(services, slices), diagnostics);
  }

  static boolean isManifest(Path p) {
    String n = p.getFileName().toString();
    return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
  }
}
