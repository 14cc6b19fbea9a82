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
        .as("docs/annotations.md differs from AnnotationRegistry; run mvn test -pl policies -Dupdate=true")
        .isEqualTo(generated);
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
