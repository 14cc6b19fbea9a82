package io.fairlead.examples.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Envoy's opinion of every golden translation: {@code envoy --mode validate} loads the static
 * bootstrap (listeners, clusters, routes, filters, LB policies) and exits non-zero on anything it
 * rejects. Needs an Envoy binary: ENVOY_BIN, or envoy on PATH; skipped otherwise.
 */
class EnvoyValidateGoldenTest {

  @TempDir Path dir;

  static Optional<Path> envoyBinary() {
    String configured = System.getenv("ENVOY_BIN");
    if (configured != null && !configured.isBlank()) {
      return Optional.of(Path.of(configured));
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String d : path.split(File.pathSeparator)) {
      Path candidate = Path.of(d, "envoy");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  @TestFactory
  Stream<DynamicTest> envoyAcceptsEveryGoldenTranslation() throws Exception {
    Optional<Path> envoy = envoyBinary();
    return GoldenStaticBootstrap.translations().stream()
        .map(
            g ->
                DynamicTest.dynamicTest(
                    GoldenStaticBootstrap.GOLDEN.relativize(g).toString(),
                    () -> {
                      // each case reports as skipped, so a run without Envoy shows how much went
                      // unchecked
                      assumeTrue(
                          envoy.isPresent(), "no Envoy binary: set ENVOY_BIN or put envoy on PATH");
                      Path config =
                          dir.resolve(
                              g.getParent().getFileName() + "-" + g.getFileName() + ".json");
                      Files.writeString(
                          config,
                          GoldenStaticBootstrap.PRINTER.print(GoldenStaticBootstrap.convert(g)));
                      Path log = dir.resolve(config.getFileName() + ".log");
                      Process p =
                          new ProcessBuilder(
                                  List.of(
                                      envoy.get().toString(),
                                      "--mode",
                                      "validate",
                                      "--config-path",
                                      config.toString(),
                                      "--log-level",
                                      "warn",
                                      "--disable-hot-restart"))
                              .redirectErrorStream(true)
                              .redirectOutput(log.toFile())
                              .start();
                      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("envoy finished").isTrue();
                      assertThat(p.exitValue())
                          .as(Files.readString(log, StandardCharsets.UTF_8))
                          .isZero();
                    }));
  }
}
