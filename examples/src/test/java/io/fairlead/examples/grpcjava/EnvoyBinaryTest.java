package io.fairlead.examples.grpcjava;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fairlead.demo.EnvoyBinary;
import java.io.File;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the demo's Envoy step finds its binary: ENVOY_BIN first, then PATH; else it is skipped. */
class EnvoyBinaryTest {

  @TempDir Path tmp;

  @BeforeAll
  static void posixOnly() {
    assumeTrue(
        FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
        "executable bits need a POSIX file system");
  }

  private Path file(String dir, String name, String permissions) throws IOException {
    Path d = Files.createDirectories(tmp.resolve(dir));
    Path f = Files.writeString(d.resolve(name), "#!/bin/sh\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(permissions));
    return f;
  }

  private String path(String... dirs) {
    StringBuilder path = new StringBuilder();
    for (String dir : dirs) {
      if (path.length() > 0) {
        path.append(File.pathSeparator);
      }
      path.append(dir.isEmpty() ? "" : tmp.resolve(dir).toString());
    }
    return path.toString();
  }

  @Test
  void withNeitherVariableNorBinaryTheStepIsSkippedAndSaysWhy() throws IOException {
    file("bin", "not-envoy", "rwxr-xr-x");
    assertThat(EnvoyBinary.find(Map.of("PATH", path("bin", "missing"))))
        .isEqualTo(new EnvoyBinary.Missing("no envoy on PATH and ENVOY_BIN unset"));
    assertThat(EnvoyBinary.find(Map.of()))
        .isEqualTo(new EnvoyBinary.Missing("no envoy on PATH and ENVOY_BIN unset"));
  }

  @Test
  void theFirstExecutableEnvoyOnPathWins() throws IOException {
    file("a", "envoy", "rw-r--r--");
    Files.createDirectories(tmp.resolve("b/envoy"));
    Path c = file("c", "envoy", "rwxr-xr-x");
    file("d", "envoy", "rwxr-xr-x");
    // a plain file and a directory named envoy are passed over; empty entries are not the working
    // directory
    assertThat(EnvoyBinary.find(Map.of("PATH", path("", "a", "b", "", "c", "d"))))
        .isEqualTo(new EnvoyBinary.Found(c, "PATH"));
  }

  @Test
  void envoyBinOverridesPath() throws IOException {
    Path onPath = file("bin", "envoy", "rwxr-xr-x");
    Path chosen = file("opt", "envoy-1.35", "rwxr-x---");
    assertThat(EnvoyBinary.find(Map.of("PATH", path("bin"), "ENVOY_BIN", chosen.toString())))
        .isEqualTo(new EnvoyBinary.Found(chosen, "ENVOY_BIN"));
    // blank is unset
    assertThat(EnvoyBinary.find(Map.of("PATH", path("bin"), "ENVOY_BIN", "  ")))
        .isEqualTo(new EnvoyBinary.Found(onPath, "PATH"));
  }

  @Test
  void anEnvoyBinThatCannotRunIsAProblemNotASkip() throws IOException {
    Path plain = file("opt", "envoy", "rw-r--r--");
    Path missing = tmp.resolve("nowhere/envoy");
    Path dir = Files.createDirectories(tmp.resolve("somedir"));
    file("bin", "envoy", "rwxr-xr-x");
    assertThat(EnvoyBinary.find(Map.of("PATH", path("bin"), "ENVOY_BIN", plain.toString())))
        .isEqualTo(new EnvoyBinary.Unusable("ENVOY_BIN=" + plain + " is not an executable file"));
    assertThat(EnvoyBinary.find(Map.of("ENVOY_BIN", missing.toString())))
        .isEqualTo(new EnvoyBinary.Unusable("ENVOY_BIN=" + missing + " does not exist"));
    assertThat(EnvoyBinary.find(Map.of("ENVOY_BIN", dir.toString())))
        .isEqualTo(new EnvoyBinary.Unusable("ENVOY_BIN=" + dir + " is not an executable file"));
  }
}
