package io.fairlead.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code fairlead.io/split} and {@code fairlead.io/split-match}: grammar, fallbacks, ports. */
class TrafficSplitParserTest {

  private static final PortSpec HTTP = new PortSpec("http", 80, "TCP", Optional.empty());
  private static final PortSpec DB = new PortSpec("db", 5432, "TCP", Optional.empty());

  private static ParsedService parse(Map<String, String> annotations, PortSpec... ports) {
    return ServicePolicyParser.parse(
        ObjectRef.parse("shop/cart"), annotations, NativeFields.NONE, List.of(ports));
  }

  @Test
  void aSplitIsSortedByServiceNameWithItsMatchRulesInOrder() {
    ParsedService p =
        parse(
            Map.of(
                "fairlead.io/split", "cart-v2=10, cart-v1=90",
                "fairlead.io/split-match",
                    "header:X-Canary=always->cart-v2; header:x-beta \u2192 cart-v1"),
            HTTP);
    PortPolicy port = p.ports().get(0);
    assertThat(p.diagnostics()).isEmpty();
    assertThat(port.traffic().split())
        .contains(
            new TrafficSplit(
                List.of(
                    new TrafficSplit.Backend("cart-v1", 90),
                    new TrafficSplit.Backend("cart-v2", 10)),
                List.of(
                    new TrafficSplit.Match("x-canary", Optional.of("always"), "cart-v2"),
                    new TrafficSplit.Match("x-beta", Optional.empty(), "cart-v1"))));
    assertThat(port.sourceOf(AnnotationRegistry.SPLIT)).isEqualTo(Provenance.ANNOTATION);
    assertThat(port.sourceOf(AnnotationRegistry.SPLIT_MATCH)).isEqualTo(Provenance.ANNOTATION);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "cart-v1=90,cart-v1=10",
        "cart-v1=0,cart-v2=0",
        "cart-v1",
        "cart-v1=",
        "=10",
        "Cart=10",
        "cart-v1=-1",
        "cart-v1=10001",
        "cart-v1=ten",
        "cart-v1=90,,cart-v2=10",
        "a=1,b=1,c=1,d=1,e=1,f=1,g=1,h=1,i=1,j=1,k=1,l=1,m=1,n=1,o=1,p=1,q=1"
      })
  void anInvalidSplitIsAnErrorAndThePortKeepsItsOwnEndpoints(String value) {
    ParsedService p = parse(Map.of("fairlead.io/split", value), HTTP);
    assertThat(p.ports().get(0).traffic().split()).isEmpty();
    assertThat(p.diagnostics())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.severity()).isEqualTo(Severity.ERROR);
              assertThat(d.reason()).isEqualTo(Reason.INVALID_VALUE);
              assertThat(d.message()).endsWith("using the default");
            });
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "cookie:beta->cart-v2",
        "header:x-canary=always",
        "header:x-canary=always->",
        "header:x-canary=always->Cart",
        "header:=always->cart-v2",
        "header:x canary->cart-v2",
        "header:x-canary=->cart-v2",
        "header:host->cart-v2",
        "header:x-canary->cart-v2;",
      })
  void anInvalidMatchIsAnErrorAndTheSplitStillApplies(String value) {
    ParsedService p =
        parse(Map.of("fairlead.io/split", "cart-v2=1", "fairlead.io/split-match", value), HTTP);
    assertThat(p.ports().get(0).traffic().split())
        .contains(new TrafficSplit(List.of(new TrafficSplit.Backend("cart-v2", 1)), List.of()));
    assertThat(p.diagnostics())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.severity()).isEqualTo(Severity.ERROR);
              assertThat(d.reason()).isEqualTo(Reason.INVALID_VALUE);
            });
  }

  @Test
  void aPerPortSplitBeatsTheServiceWideOneAndAnInvalidOneFallsBackToIt() {
    ParsedService p =
        parse(
            Map.of(
                "fairlead.io/split", "cart-v1=1",
                "fairlead.io/split.http", "cart-v1=1,cart-v1=2"),
            HTTP);
    assertThat(p.ports().get(0).traffic().split().orElseThrow().backends())
        .containsExactly(new TrafficSplit.Backend("cart-v1", 1));
    assertThat(p.diagnostics())
        .singleElement()
        .satisfies(d -> assertThat(d.message()).endsWith("the Service-wide value or default"));
  }

  @Test
  void aTcpPortIsSplitPerConnectionWithoutMatchRulesAndSaysSourceIpCannotHoldAVersion() {
    ParsedService p =
        parse(
            Map.of(
                "fairlead.io/split", "cart-v1=1,cart-v2=1",
                "fairlead.io/split-match", "header:x-canary->cart-v1",
                "fairlead.io/hash-on", "source-ip"),
            DB);
    assertThat(p.ports().get(0).traffic().split().orElseThrow().matches()).isEmpty();
    assertThat(p.ports().get(0).traffic().split().orElseThrow().backends()).hasSize(2);
    assertThat(p.diagnostics())
        .extracting(Diagnostic::message)
        .anySatisfy(m -> assertThat(m).contains("a tcp connection has no headers"))
        .anySatisfy(m -> assertThat(m).contains("at random per connection"));
    assertThat(p.diagnostics())
        .allSatisfy(d -> assertThat(d.severity()).isEqualTo(Severity.WARNING));
  }

  @Test
  void splitMatchWithoutASplitHasNoEffect() {
    ParsedService p = parse(Map.of("fairlead.io/split-match", "header:x-canary->cart-v1"), HTTP);
    assertThat(p.ports().get(0).traffic().split()).isEmpty();
    assertThat(p.diagnostics())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.reason()).isEqualTo(Reason.NO_EFFECT);
              assertThat(d.message()).contains("without fairlead.io/split");
            });
  }
}
