package io.fairlead.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * Where {@code serve} reads Services and EndpointSlices: {@code kubernetes} or {@code dir:PATH}.
 */
sealed interface Source permits Source.Kubernetes, Source.Directory {

  /** The API server: in-cluster service account, or the kubeconfig outside a cluster. */
  record Kubernetes() implements Source {
    @Override
    public String toString() {
      return "kubernetes";
    }
  }

  /** A watched directory of manifests. */
  record Directory(Path path) implements Source {
    @Override
    public String toString() {
      return DIR + path;
    }
  }

  String DIR = "dir:";

  /** The {@code --source} words; anything else is picocli's one-line error with exit status 2. */
  final class Converter implements CommandLine.ITypeConverter<Source> {
    @Override
    public Source convert(String value) {
      if (value.equals("kubernetes")) {
        return new Kubernetes();
      }
      if (value.startsWith(DIR) && value.length() > DIR.length()) {
        try {
          return new Directory(Path.of(value.substring(DIR.length())));
        } catch (InvalidPathException e) {
          throw new CommandLine.TypeConversionException("'" + value + "': " + e.getMessage());
        }
      }
      throw new CommandLine.TypeConversionException(
          "expected kubernetes or dir:PATH but was '" + value + "'");
    }
  }
}
