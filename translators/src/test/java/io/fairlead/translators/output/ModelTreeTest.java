package io.fairlead.translators.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fairlead.policies.ObjectRef;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelTreeTest {

  enum Colour {
    DARK_RED,
    BLUE
  }

  sealed interface Shape permits Shape.Round, Polygon {
    record Round(int radius) implements Shape {}
  }

  /** A case reached through an interface that is not itself sealed. */
  non-sealed interface Polygon extends Shape {}

  record SquareThing(int side) implements Polygon {}

  record Holder(
      ObjectRef ref,
      Optional<String> absent,
      Optional<Duration> timeout,
      Colour colour,
      List<Shape> shapes,
      Map<String, Integer> counts,
      Set<String> tags) {}

  sealed interface Named permits Clash {}

  record Clash(String type) implements Named {}

  @Test
  void recordsBecomeSortedMapsWithTheirCasesNamed() {
    Holder h =
        new Holder(
            new ObjectRef("shop", "cart"),
            Optional.empty(),
            Optional.of(Duration.ofMinutes(90)),
            Colour.DARK_RED,
            List.of(new Shape.Round(3), new SquareThing(2)),
            Map.of("b", 2, "a", 1),
            new HashSet<>(List.of("zeta", "alpha", "mid")));
    assertThat(Trees.yaml(ModelTree.tree(h)))
        .isEqualTo(
            """
            colour: dark-red
            counts:
              a: 1
              b: 2
            ref: shop/cart
            shapes:
            - radius: 3
              type: round
            - side: 2
              type: square-thing
            tags:
            - alpha
            - mid
            - zeta
            timeout: 1h30m
            """);
  }

  @Test
  void aComponentNamedTypeInASealedCaseIsRefusedRatherThanOverwritten() {
    assertThatThrownBy(() -> ModelTree.tree(new Clash("x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'type'");
  }
}
