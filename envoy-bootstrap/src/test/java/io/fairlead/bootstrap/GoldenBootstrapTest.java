package io.fairlead.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * One test per folder under golden/: params.yaml gives the parameters; bootstrap.yaml is the
 * expected output, or error.txt the expected one-line error for invalid parameters.
 */
class GoldenBootstrapTest {

  static final String BOOTSTRAP = "bootstrap.yaml";
  static final String ERROR = "error.txt";
  private static final String HOW_TO_UPDATE = "run mvn test -pl envoy-bootstrap -Dupdate=true";
  private static final String AM_HINT = " (add -am while sibling modules are not installed)";

  @TestFactory
  Stream<DynamicTest> goldenCases() {
    return GoldenCases.folders().stream()
        .map(
            folder ->
                DynamicTest.dynamicTest(folder.getFileName().toString(), () -> check(folder)));
  }

  private static void check(Path folder) throws IOException {
    String file;
    String actual;
    try {
      BootstrapParams params = GoldenCases.readParams(folder).build();
      file = BOOTSTRAP;
      actual = BootstrapWriter.toYaml(BootstrapGenerator.generate(params));
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).as("error messages are one line").doesNotContain("\n");
      file = ERROR;
      actual = e.getMessage() + "\n";
    }
    Path expectedFile = folder.resolve(file);
    List<Path> stale = staleFiles(folder, file);
    if (GoldenCases.updating()) {
      Files.writeString(expectedFile, actual, StandardCharsets.UTF_8);
      for (Path path : stale) {
        Files.delete(path);
      }
      return;
    }
    if (!stale.isEmpty()) {
      fail("stale golden files " + stale + ": " + HOW_TO_UPDATE + " to delete them" + AM_HINT);
    }
    if (!Files.exists(expectedFile)) {
      fail(expectedFile + " is missing: " + HOW_TO_UPDATE + " to create it" + AM_HINT);
    }
    assertEquals(
        Files.readString(expectedFile, StandardCharsets.UTF_8),
        actual,
        expectedFile + " differs; if the change is intended, " + HOW_TO_UPDATE);
  }

  /** Every file but params.yaml and the expected output that this run produces. */
  private static List<Path> staleFiles(Path folder, String produced) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files
          .filter(
              path -> {
                String name = path.getFileName().toString();
                return !name.equals(GoldenCases.PARAMS) && !name.equals(produced);
              })
          .sorted()
          .toList();
    }
  }
}
