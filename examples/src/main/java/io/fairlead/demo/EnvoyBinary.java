package io.fairlead.demo;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where the demo finds an Envoy to run: {@value #ENV_VAR} when it is set, else the first executable
 * {@value #NAME} on {@code PATH}. Only the environment map and the file system are read, so a test
 * can pass its own map.
 */
public sealed interface EnvoyBinary {

  String ENV_VAR = "ENVOY_BIN";
  String NAME = "envoy";

  /**
   * An executable file; {@code via} says where it came from ({@code ENVOY_BIN} or {@code PATH}).
   */
  record Found(Path path, String via) implements EnvoyBinary {}

  /** No Envoy anywhere it is looked for; the step is skipped, and {@code reason} says why. */
  record Missing(String reason) implements EnvoyBinary {}

  /**
   * {@value #ENV_VAR} names something that cannot be run; an explicit request the demo cannot
   * honour.
   */
  record Unusable(String problem) implements EnvoyBinary {}

  /** Looks for Envoy as described above, in this environment (e.g. {@code System.getenv()}). */
  static EnvoyBinary find(Map<String, String> environment) {
    String explicit = environment.getOrDefault(ENV_VAR, "").strip();
    if (!explicit.isEmpty()) {
      return fromEnvVar(explicit);
    }
    String path = environment.getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      // an empty entry would mean the working directory: not a place to pick up a binary from
      if (dir.isBlank()) {
        continue;
      }
      try {
        Path candidate = Path.of(dir, NAME);
        if (isExecutableFile(candidate)) {
          return new Found(candidate, "PATH");
        }
      } catch (InvalidPathException e) {
        // a malformed PATH entry holds no Envoy
      }
    }
    return new Missing("no " + NAME + " on PATH and " + ENV_VAR + " unset");
  }

  private static EnvoyBinary fromEnvVar(String value) {
    Path path;
    try {
      path = Path.of(value);
    } catch (InvalidPathException e) {
      return new Unusable(ENV_VAR + "=" + value + " is not a path: " + e.getReason());
    }
    if (!Files.exists(path)) {
      return new Unusable(ENV_VAR + "=" + value + " does not exist");
    }
    if (!isExecutableFile(path)) {
      return new Unusable(ENV_VAR + "=" + value + " is not an executable file");
    }
    return new Found(path, ENV_VAR);
  }

  private static boolean isExecutableFile(Path path) {
    return Files.isRegularFile(path) && Files.isExecutable(path);
  }
}
