package io.fairlead.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AnnotationDocsTest {

  private static final Path DOC = Path.of("..", "docs", "annotations.md");

  @Test
  void docsMatchRegistry() throws Exception {
    String generated = AnnotationDocs.markdown();
    if (Boolean.getBoolean("update")) {
      Files.createDirectories(DOC.getParent());
      Files.writeString(DOC, generated);
    }
    assertThat(DOC)
        .as("docs/annotations.md is missing; run mvn test -pl policies -Dupdate=true to create it")
        .exists();
    assertThat(Files.readString(DOC))
        .as(
            "docs/annotations.md differs from AnnotationRegistry; run mvn test -pl policies -Dupdate=true")
        .isEqualTo(generated);
  }

  /** Every link into the runtime-rules page names a row that exists there. */
  @Test
  void everyEnvoySemanticsLinkNamesARow() throws Exception {
    String rules = Files.readString(Path.of("..", "docs", "envoy-semantics.md"));
    java.util.regex.Matcher links =
        java.util.regex.Pattern.compile("envoy-semantics\\.md#([a-z0-9-]+)")
            .matcher(AnnotationDocs.markdown());
    int count = 0;
    while (links.find()) {
      count++;
      assertThat(rules)
          .as("row " + links.group(1) + " in docs/envoy-semantics.md")
          .contains("<a id=\"" + links.group(1) + "\">");
    }
    assertThat(count).as("links from the annotation reference").isGreaterThanOrEqualTo(15);
  }

  @Test
  void everyKeyIsDocumented() {
    String doc = AnnotationDocs.markdown();
    for (AnnotationKey<?> k : AnnotationRegistry.all()) {
      assertThat(doc).contains("`" + k.fullName() + "`");
      assertThat(k.description()).isNotBlank();
      assertThat(k.onEnvoy()).isNotBlank();
      assertThat(k.onGrpc()).isNotBlank();
    }
  }
}
