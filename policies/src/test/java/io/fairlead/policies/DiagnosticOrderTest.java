package io.fairlead.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Diagnostics sort by their subject's text without building it; the order must be the same. */
class DiagnosticOrderTest {

  @Test
  void objectRefsCompareAsTheirTextDoes() {
    // '/' sorts after '-' and '.', before digits and letters: a namespace that is a prefix of
    // another does not simply sort first
    List<ObjectRef> refs =
        new ArrayList<>(
            List.of(
                new ObjectRef("a", "b"),
                new ObjectRef("a-x", "c"),
                new ObjectRef("a.x", "c"),
                new ObjectRef("a0", "c"),
                new ObjectRef("ab", ""),
                new ObjectRef("a", "b-c"),
                new ObjectRef("a", ""),
                new ObjectRef("", "a"),
                new ObjectRef("a", "b")));
    Random random = new Random(11);
    String alphabet = "ab-./0z";
    for (int i = 0; i < 300; i++) {
      refs.add(new ObjectRef(word(random, alphabet), word(random, alphabet)));
    }
    for (ObjectRef a : refs) {
      for (ObjectRef b : refs) {
        assertThat(Integer.signum(Diagnostic.compareText(a, b)))
            .as(a + " vs " + b)
            .isEqualTo(Integer.signum(a.toString().compareTo(b.toString())));
      }
    }
  }

  @Test
  void diagnosticsOfKubernetesObjectsAndFilesSortByTheirText() {
    Diagnostic nsPrefix = Diagnostic.warning(Reason.NATIVE_FIELD, Subject.of(ref("a/b"), "k"), "m");
    Diagnostic longer = Diagnostic.warning(Reason.NATIVE_FIELD, Subject.of(ref("a-x/c"), "k"), "m");
    Diagnostic file = Diagnostic.error(Reason.NATIVE_FIELD, new Subject.File("a-y.yaml"), "m");
    List<Diagnostic> sorted = new ArrayList<>(List.of(nsPrefix, longer, file));
    sorted.sort(null);
    assertThat(sorted).containsExactly(longer, file, nsPrefix);
  }

  private static ObjectRef ref(String text) {
    return ObjectRef.parse(text);
  }

  private static String word(Random random, String alphabet) {
    StringBuilder s = new StringBuilder();
    for (int i = random.nextInt(4); i > 0; i--) {
      s.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return s.toString();
  }
}
