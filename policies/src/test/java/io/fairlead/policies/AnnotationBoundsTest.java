package io.fairlead.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every numeric limit the registry declares ({@link AnnotationKey#bounds()}) is accepted at both
 * ends, reads back as itself, and is refused one past either end. The cases come from the registry,
 * so a new bounded key is tested at its limits by declaring its {@link Bound}s.
 */
class AnnotationBoundsTest {

  @TestFactory
  Stream<DynamicTest> everyBoundIsInclusiveAndRefusesOnePast() {
    List<DynamicTest> tests = new ArrayList<>();
    for (AnnotationKey<?> key : AnnotationRegistry.all()) {
      addTests(key, tests);
    }
    for (AnnotationKey<?> key : AnnotationRegistry.podKeys()) {
      addTests(key, tests);
    }
    return tests.stream();
  }

  private static <T> void addTests(AnnotationKey<T> key, List<DynamicTest> tests) {
    for (Bound<T> b : key.bounds()) {
      String name = key.name() + " " + b.what();
      tests.add(
          DynamicTest.dynamicTest(
              name + ": " + b.min() + " and " + b.max() + " accepted",
              () -> {
                assertAccepted(key, b, b.min());
                assertAccepted(key, b, b.max());
              }));
      tests.add(
          DynamicTest.dynamicTest(
              name + ": " + (b.min() - 1) + " and " + (b.max() + 1) + " refused",
              () -> {
                assertRefused(key, b, b.min() - 1);
                assertRefused(key, b, b.max() + 1);
              }));
    }
  }

  private static <T> void assertAccepted(AnnotationKey<T> key, Bound<T> b, long n) {
    String value = b.valueWith(n);
    ParseResult<T> parsed = key.parse(value);
    assertThat(parsed).as(key.name() + ": " + abbreviate(value)).isInstanceOf(ParseResult.Ok.class);
    assertThat(b.readBack(((ParseResult.Ok<T>) parsed).value()))
        .as(key.name() + " " + b.what() + " of " + abbreviate(value))
        .isEqualTo(n);
  }

  private static <T> void assertRefused(AnnotationKey<T> key, Bound<T> b, long n) {
    String value = b.valueWith(n);
    assertThat(key.parse(value))
        .as(key.name() + ": " + abbreviate(value))
        .isInstanceOf(ParseResult.Err.class);
  }

  private static String abbreviate(String value) {
    return value.length() <= 40 ? value : value.substring(0, 37) + "...";
  }

  /** The keys whose grammar has a number, a length or a duration in it, declare it. */
  @Test
  void everyKeyWithANumericGrammarDeclaresItsBounds() {
    List<String> unbounded =
        AnnotationRegistry.all().stream()
            .filter(k -> k.bounds().isEmpty())
            .map(AnnotationKey::name)
            .toList();
    // paths, names and words from a fixed set: no numeric limit of their own (the 2048-character
    // value cap is ServicePolicyParser's, tested there; zone, header and Service names are checked
    // by their own syntax rules in the parsers' tests)
    assertThat(unbounded)
        .containsExactlyInAnyOrder(
            "lb-policy",
            "cookie-path",
            "port-affinity",
            "protocol",
            "gateway-path",
            "failover",
            "access-log",
            "split-match");
  }

  @Test
  void aKeyCarriesTheBoundsItIsGiven() {
    Bound<Integer> b = new Bound<>("n", 1, 1, n -> Long.toString(n), v -> v);
    AnnotationKey<Integer> plain =
        new AnnotationKey<>("n", "g", "d", "m", "e", "r", v -> SettingParsers.atLeast(v, 1));
    assertThat(plain.bounds()).isEmpty();
    AnnotationKey<Integer> bounded = plain.bounded(List.of(b));
    assertThat(bounded.bounds()).containsExactly(b);
    assertThat(bounded.name()).isEqualTo("n");
    assertThat(bounded.parse("1")).isEqualTo(ParseResult.ok(1));
    assertThat(b.valueWith(1)).isEqualTo("1");
  }

  @Test
  void boundsOutsideTheirOrderAreRefused() {
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> new Bound<Long>("x", 2, 1, n -> "", v -> v))
        .withMessageContaining("x: min 2 is above max 1");
  }
}
