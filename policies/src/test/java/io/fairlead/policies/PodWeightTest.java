package io.fairlead.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code fairlead.io/weight}: a Pod key, parsed as a bounded integer, kept apart from Services. */
class PodWeightTest {

  @Test
  void parsesIntegersInRange() {
    assertThat(AnnotationRegistry.POD_WEIGHT.parse("3")).isEqualTo(ParseResult.ok(3));
    assertThat(AnnotationRegistry.POD_WEIGHT.parse(" 10000 ")).isEqualTo(ParseResult.ok(10_000));
    assertThat(AnnotationRegistry.POD_WEIGHT.parse("1")).isEqualTo(ParseResult.ok(1));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "10001", "3.5", "three", "", "3x", "99999999999999999999"})
  void refusesTheRest(String value) {
    assertThat(AnnotationRegistry.POD_WEIGHT.parse(value)).isInstanceOf(ParseResult.Err.class);
  }

  @Test
  void isAPodKeyNotAServiceKey() {
    assertThat(AnnotationRegistry.podKeys()).contains(AnnotationRegistry.POD_WEIGHT);
    assertThat(AnnotationRegistry.all()).doesNotContain(AnnotationRegistry.POD_WEIGHT);
    assertThat(AnnotationRegistry.find("weight")).isEmpty();
    assertThat(AnnotationRegistry.POD_WEIGHT.fullName()).isEqualTo("fairlead.io/weight");
    assertThat(AnnotationRegistry.POD_WEIGHT.bounds()).hasSize(1);
  }

  @Test
  void onAServiceItIsAWarningThatNamesPodsNotAnotherKey() {
    ParsedService p =
        ServicePolicyParser.parse(
            ObjectRef.parse("ns/svc"),
            Map.of("fairlead.io/weight", "3"),
            NativeFields.NONE,
            List.of(new PortSpec("http", 80, "TCP", Optional.empty())));
    assertThat(p.diagnostics()).hasSize(1);
    Diagnostic d = p.diagnostics().get(0);
    assertThat(d.severity()).isEqualTo(Severity.WARNING);
    assertThat(d.reason()).isEqualTo(Reason.NO_EFFECT);
    assertThat(d.key()).isEqualTo("fairlead.io/weight");
    assertThat(d.message()).contains("Pod annotation").doesNotContain("did you mean");
  }

  @Test
  void aMisspeltServiceKeyIsNeverToldToUseTheWeight() {
    ParsedService p =
        ServicePolicyParser.parse(
            ObjectRef.parse("ns/svc"),
            Map.of("fairlead.io/weigth", "3"),
            NativeFields.NONE,
            List.of(new PortSpec("http", 80, "TCP", Optional.empty())));
    assertThat(p.diagnostics())
        .singleElement()
        .extracting(Diagnostic::message)
        .asString()
        .doesNotContain("fairlead.io/weight?");
  }

  @Test
  void theReferenceHasAPodSection() {
    String doc = AnnotationDocs.markdown();
    assertThat(doc).contains("## Pod annotations").contains("| `fairlead.io/weight` |");
    // not in the Service table
    assertThat(doc.substring(0, doc.indexOf("## Pod annotations")))
        .doesNotContain("`fairlead.io/weight`");
  }
}
