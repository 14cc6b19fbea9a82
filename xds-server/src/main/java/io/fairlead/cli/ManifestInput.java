package io.fairlead.cli;

import io.fairlead.k8s.DirectorySource;
import io.fairlead.k8s.KubeSourceException;
import io.fairlead.k8s.LoadResult;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code -f FILE_OR_DIR} option of the commands that read manifests once. */
final class ManifestInput {

  @Option(
      names = {"-f", "--file"},
      required = true,
      description = "A YAML/JSON file, or a directory of them.")
  Path file;

  /** Every Service and EndpointSlice under the path; a one-line error when unusable. */
  LoadResult load() throws KubeSourceException {
    return DirectorySource.load(file);
  }

  @Override
  public String toString() {
    return file.toString();
  }
}
