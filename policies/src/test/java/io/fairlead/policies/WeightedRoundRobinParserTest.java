package io.fairlead.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code lb-policy: weighted-round-robin}, its tuning key and its cross-checks. */
class WeightedRoundRobinParserTest {

  private static final ObjectRef SVC = ObjectRef.parse("ns/svc");
  private static final PortSpec GRPC = new PortSpec("grpc", 9090, "TCP", Optional.empty());
  private static final PortSpec DB = new PortSpec("db", 5432, "TCP", Optional.empty());

  private static ParsedService parse(Map<String, String> annotations, PortSpec... ports) {
    return parse(annotations, NativeFields.NONE, ports);
  }

  private static ParsedService parse(
      Map<String, String> annotations, NativeFields nativeFields, PortSpec... ports) {
    return ServicePolicyParser.parse(SVC, annotations, nativeFields, List.of(ports));
  }

  private static WrrTuning tuning(String value) {
    ParseResult<WrrTuning> r = AnnotationRegistry.WEIGHTED_ROUND_ROBIN.parse(value);
    assertThat(r).as(value).isInstanceOf(ParseResult.Ok.class);
    return ((ParseResult.Ok<WrrTuning>) r).value();
  }

  private static String refusal(String value) {
    ParseResult<WrrTuning> r = AnnotationRegistry.WEIGHTED_ROUND_ROBIN.parse(value);
    assertThat(r).as(value).isInstanceOf(ParseResult.Err.class);
    return ((ParseResult.Err<WrrTuning>) r).message();
  }

  @Test
  void theKeywordSelectsItWithTheClientsDefaults() {
    ParsedService p = parse(Map.of("fairlead.io/lb-policy", "weighted-round-robin"), GRPC);
    assertThat(p.diagnostics()).isEmpty();
    assertThat(p.ports().get(0).balancing().algorithm())
        .isEqualTo(new LoadBalancing.WeightedRoundRobin(WrrTuning.DEFAULTS));
    assertThat(p.ports().get(0).balancing().algorithm().isHashing()).isFalse();
  }

  @Test
  void theTuningKeyReadsEveryField() {
    assertThat(
            tuning(
                "blackout-period=2s, weight-expiration-period=1m,weight-update-period=250ms,"
                    + "error-utilization-penalty=1.5,utilization-metrics=named_metrics.gpu|cpu_utilization"))
        .isEqualTo(
            new WrrTuning(
                Optional.of(Duration.ofSeconds(2)),
                Optional.of(Duration.ofMinutes(1)),
                Optional.of(Duration.ofMillis(250)),
                Optional.of(1.5),
                List.of("named_metrics.gpu", "cpu_utilization")));
    assertThat(tuning("blackout-period=0s").blackoutPeriod()).contains(Duration.ZERO);
    assertThat(tuning("utilization-metrics=utilization.mem|named_metrics.a|named_metrics.a"))
        .extracting(WrrTuning::utilizationMetrics)
        .isEqualTo(List.of("utilization.mem", "named_metrics.a"));
  }

  @Test
  void theTuningReachesThePolicy() {
    ParsedService p =
        parse(
            Map.of(
                "fairlead.io/lb-policy",
                "weighted-round-robin",
                "fairlead.io/weighted-round-robin.grpc",
                "blackout-period=1s"),
            GRPC);
    assertThat(p.diagnostics()).isEmpty();
    assertThat(p.ports().get(0).balancing().algorithm())
        .isEqualTo(
            new LoadBalancing.WeightedRoundRobin(
                new WrrTuning(
                    Optional.of(Duration.ofSeconds(1)),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    List.of())));
    assertThat(p.ports().get(0).sourceOf(AnnotationRegistry.WEIGHTED_ROUND_ROBIN))
        .isEqualTo(Provenance.PORT_ANNOTATION);
  }

  @Test
  void invalidValuesSayWhy() {
    assertThat(refusal("weight-update-period=50ms")).contains("below 100ms");
    assertThat(refusal("weight-update-period=0s")).contains("weight-update-period");
    assertThat(refusal("weight-expiration-period=0s")).contains("weight-expiration-period");
    assertThat(refusal("blackout-period=soon")).contains("blackout-period", "not a duration");
    assertThat(refusal("error-utilization-penalty=-1")).contains("from 0 to 100");
    assertThat(refusal("error-utilization-penalty=1e3")).contains("from 0 to 100");
    assertThat(refusal("utilization-metrics=gpu")).contains("'gpu' is not an ORCA metric");
    assertThat(refusal("utilization-metrics=named_metrics.")).contains("not an ORCA metric");
    assertThat(refusal("utilization-metrics=named_metrics.a||cpu_utilization"))
        .contains("'' is not an ORCA metric");
    assertThat(refusal("oob=true")).contains("oob");
  }

  @Test
  void anInvalidTuningIsAnErrorAndTheDefaultsApply() {
    ParsedService p =
        parse(
            Map.of(
                "fairlead.io/lb-policy", "weighted-round-robin",
                "fairlead.io/weighted-round-robin", "weight-update-period=10ms"),
            GRPC);
    assertThat(p.ports().get(0).balancing().algorithm())
        .isEqualTo(new LoadBalancing.WeightedRoundRobin(WrrTuning.DEFAULTS));
    assertThat(p.diagnostics()).hasSize(1);
    Diagnostic d = p.diagnostics().get(0);
    assertThat(d.severity()).isEqualTo(Severity.ERROR);
    assertThat(d.reason()).isEqualTo(Reason.INVALID_VALUE);
    assertThat(d.message()).contains("below 100ms", "using the default");
  }

  @Test
  void theTuningWithoutThePolicyHasNoEffect() {
    ParsedService p = parse(Map.of("fairlead.io/weighted-round-robin", "blackout-period=1s"), GRPC);
    assertThat(p.ports().get(0).balancing().algorithm()).isEqualTo(new LoadBalancing.RoundRobin());
    Diagnostic d = p.diagnostics().get(0);
    assertThat(d.severity()).isEqualTo(Severity.WARNING);
    assertThat(d.reason()).isEqualTo(Reason.NO_EFFECT);
    assertThat(d.message()).contains("without lb-policy weighted-round-robin");
  }

  @Test
  void aTcpPortGetsRoundRobinWithAWarning() {
    ParsedService p =
        parse(
            Map.of(
                "fairlead.io/lb-policy", "weighted-round-robin",
                "fairlead.io/weighted-round-robin", "blackout-period=1s"),
            GRPC,
            DB);
    assertThat(p.ports().get(0).balancing().algorithm())
        .isInstanceOf(LoadBalancing.WeightedRoundRobin.class);
    assertThat(p.ports().get(1).balancing().algorithm()).isEqualTo(new LoadBalancing.RoundRobin());
    assertThat(p.diagnostics())
        .extracting(Diagnostic::severity, Diagnostic::reason)
        .containsOnly(org.assertj.core.groups.Tuple.tuple(Severity.WARNING, Reason.NO_EFFECT));
    assertThat(p.diagnostics())
        .anySatisfy(
            d ->
                assertThat(d.message())
                    .contains("port db is tcp", "weighted-round-robin", "round-robin is used"))
        .anySatisfy(
            d ->
                assertThat(d.message())
                    .contains("without lb-policy weighted-round-robin")
                    .doesNotContain("grpc"));
  }

  @Test
  void hashOnWithItIsAnErrorAndTheKeysAreIgnored() {
    ParsedService p =
        parse(
            Map.of(
                "fairlead.io/lb-policy", "weighted-round-robin", "fairlead.io/hash-on", "header:u"),
            GRPC);
    PortPolicy port = p.ports().get(0);
    assertThat(port.balancing().algorithm()).isInstanceOf(LoadBalancing.WeightedRoundRobin.class);
    assertThat(port.affinity().hashKeys()).isEmpty();
    assertThat(p.diagnostics()).hasSize(1);
    Diagnostic d = p.diagnostics().get(0);
    assertThat(d.severity()).isEqualTo(Severity.ERROR);
    assertThat(d.reason()).isEqualTo(Reason.CONFLICT);
    assertThat(d.key()).isEqualTo("fairlead.io/hash-on");
    assertThat(d.message()).contains("hash-on needs a hashing lb-policy", "weighted-round-robin");
  }

  @Test
  void clientIpAffinityGivesWayWithAWarning() {
    ParsedService p =
        parse(
            Map.of("fairlead.io/lb-policy", "weighted-round-robin"),
            new NativeFields(Optional.of("ClientIP"), Optional.empty(), Optional.empty()),
            GRPC);
    assertThat(p.ports().get(0).affinity().hashKeys()).isEmpty();
    assertThat(p.diagnostics()).hasSize(1);
    assertThat(p.diagnostics().get(0).severity()).isEqualTo(Severity.WARNING);
    assertThat(p.diagnostics().get(0).reason()).isEqualTo(Reason.CONFLICT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"weighted", "wrr", "weighted-round-robin,"})
  void nearMissesOfTheKeywordAreRefusedAndListIt(String value) {
    ParseResult<LbKind> r = AnnotationRegistry.LB_POLICY.parse(value);
    assertThat(r).isInstanceOf(ParseResult.Err.class);
    assertThat(((ParseResult.Err<LbKind>) r).message()).contains("or weighted-round-robin");
  }
}
