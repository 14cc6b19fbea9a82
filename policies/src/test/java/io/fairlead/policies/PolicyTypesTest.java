package io.fairlead.policies;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The small value types: how they print, order and compare. */
class PolicyTypesTest {

  @Test
  void objectRefsParseAndPrint() {
    assertThat(ObjectRef.parse("shop/web")).isEqualTo(new ObjectRef("shop", "web"));
    assertThat(ObjectRef.parse("web")).isEqualTo(new ObjectRef("default", "web"));
    assertThat(ObjectRef.parse("/web")).isEqualTo(new ObjectRef("", "web"));
    assertThat(ObjectRef.parse("a/b/c")).isEqualTo(new ObjectRef("a", "b/c"));
    assertThat(new ObjectRef("shop", "web")).hasToString("shop/web");
  }

  @Test
  void objectRefsOrderByNamespaceThenName() {
    List<ObjectRef> refs =
        new ArrayList<>(
            List.of(ObjectRef.parse("b/a"), ObjectRef.parse("a/z"), ObjectRef.parse("a/b")));
    refs.sort(null);
    assertThat(refs)
        .containsExactly(ObjectRef.parse("a/b"), ObjectRef.parse("a/z"), ObjectRef.parse("b/a"));
    assertThat(ObjectRef.parse("a/b").compareTo(ObjectRef.parse("a/b"))).isZero();
  }

  @ParameterizedTest
  @CsvSource({
    "lb-policy, lb-policy, 0",
    "lb-polcy, lb-policy, 1",
    "'', abc, 3",
    "abc, '', 3",
    "kitten, sitting, 3",
    "ab, ba, 2",
    "flaw, lawn, 2"
  })
  void editDistance(String a, String b, int distance) {
    assertThat(EditDistance.between(a, b)).isEqualTo(distance);
  }

  @Test
  void hashKeysDescribeThemselvesAsHashOnSpellsThem() {
    assertThat(new HashKey.Header("x-user").describe()).isEqualTo("header:x-user");
    assertThat(new HashKey.Cookie("sid", Duration.ZERO, Optional.empty()).describe())
        .isEqualTo("cookie:sid");
    assertThat(new HashKey.Query("u").describe()).isEqualTo("query:u");
    assertThat(new HashKey.SourceIp(32, 128).describe()).isEqualTo("source-ip");
    assertThat(new HashKey.SourceIp(24, 128).describe()).isEqualTo("source-ip(/24,/128)");
    assertThat(new HashKey.SourceIp(32, 64).describe()).isEqualTo("source-ip(/32,/64)");
    assertThat(new HashKey.ChannelId().describe()).isEqualTo("grpc-channel-id");
  }

  @Test
  void grpcHashesOnHeadersAndChannelIdsOnly() {
    assertThat(new HashKey.Header("x").grpcCapable()).isTrue();
    assertThat(new HashKey.ChannelId().grpcCapable()).isTrue();
    assertThat(new HashKey.Cookie("c", Duration.ZERO, Optional.empty()).grpcCapable()).isFalse();
    assertThat(new HashKey.Query("q").grpcCapable()).isFalse();
    assertThat(new HashKey.SourceIp(32, 128).grpcCapable()).isFalse();
  }

  @Test
  void loadBalancingNamesItsKind() {
    assertThat(new LoadBalancing.Maglev(65537).kind()).isEqualTo(LbKind.MAGLEV);
    assertThat(new LoadBalancing.Maglev(65537).keyword()).isEqualTo("maglev");
    assertThat(new LoadBalancing.Maglev(65537).isHashing()).isTrue();
    assertThat(new LoadBalancing.RingHash(1, 2).keyword()).isEqualTo("ring-hash");
    assertThat(new LoadBalancing.LeastRequest(2).keyword()).isEqualTo("least-request");
    assertThat(new LoadBalancing.Random().isHashing()).isFalse();
    assertThat(new LoadBalancing.RoundRobin().keyword()).isEqualTo("round-robin");
    for (LbKind k : LbKind.values()) {
      assertThat(LbKind.of(k.keyword())).contains(k);
    }
    assertThat(LbKind.of("Maglev")).isEmpty();
  }

  @Test
  void diagnosticsPrintAndOrderByObjectKeySeverityMessage() {
    ObjectRef a = ObjectRef.parse("a/x");
    Diagnostic info = Diagnostic.info(Reason.NO_ENDPOINTS, Subject.of(a, "endpoints"), "none yet");
    assertThat(info.severity()).isEqualTo(Severity.INFO);
    assertThat(info.object()).isEqualTo("a/x");
    assertThat(info.key()).isEqualTo("endpoints");
    assertThat(info).hasToString("info a/x endpoints: none yet");
    Diagnostic error =
        Diagnostic.error(Reason.CONFLICT, Subject.of(a, "http", "fairlead.io/x"), "m");
    Diagnostic warning =
        Diagnostic.warning(Reason.CONFLICT, Subject.of(a, "http", "fairlead.io/x"), "m");
    Diagnostic other =
        Diagnostic.error(Reason.CONFLICT, Subject.of(ObjectRef.parse("b/x"), "a"), "m");
    List<Diagnostic> all = new ArrayList<>(List.of(other, info, warning, error));
    all.sort(null);
    assertThat(all).containsExactly(info, error, warning, other);
    assertThat(((Subject.Kube) error.subject()).port()).contains("http");
  }

  @Test
  void subjectsOfFilesAndSources() {
    Subject file = new Subject.File("svc.yaml");
    assertThat(file.object()).isEqualTo("svc.yaml");
    assertThat(file.key()).isEqualTo("file");
    Subject source = new Subject.Source("kubernetes", "source");
    assertThat(source.object()).isEqualTo("kubernetes");
    assertThat(source.key()).isEqualTo("source");
  }

  @Test
  void labelsAndWords() {
    assertThat(Severity.WARNING.label()).isEqualTo("warning");
    assertThat(Provenance.PORT_ANNOTATION.words()).isEqualTo("per-port annotation");
    assertThat(Reason.ADDRESS_CONFLICT.eventReason()).isEqualTo("AddressConflict");
    for (Reason r : Reason.values()) {
      assertThat(r.eventReason()).as(r.name()).matches("[A-Z][A-Za-z]+");
    }
  }

  @Test
  void portPolicyCopiesChangeOneGroupOnly() {
    PortPolicy p =
        ServicePolicyParser.parse(
                ObjectRef.parse("ns/svc"),
                java.util.Map.of(),
                NativeFields.NONE,
                List.of(new PortSpec("http", 80, "TCP", Optional.empty())))
            .ports()
            .get(0);
    PortPolicy.Balancing balancing = p.balancing().withAlgorithm(new LoadBalancing.Random());
    assertThat(balancing.algorithm()).isEqualTo(new LoadBalancing.Random());
    assertThat(balancing.panicThreshold()).isEqualTo(p.balancing().panicThreshold());
    assertThat(p.withBalancing(balancing).balancing()).isEqualTo(balancing);
    PortPolicy.Affinity affinity = p.affinity().withPortAffinity(true);
    assertThat(p.withAffinity(affinity).affinity()).isEqualTo(affinity);
    PortPolicy.Resilience resilience =
        p.resilience().withOutlierDetection(Optional.of(OutlierDetection.DEFAULTS));
    assertThat(p.withResilience(resilience).resilience()).isEqualTo(resilience);
    PortPolicy.Timeouts timeouts = p.timeouts().withRequest(Optional.of(Duration.ofSeconds(1)));
    assertThat(p.withTimeouts(timeouts).timeouts()).isEqualTo(timeouts);
    PortPolicy.Topology topology = p.topology().withNodeLocal(true);
    assertThat(topology).isEqualTo(new PortPolicy.Topology(false, true));
    assertThat(p.withTopology(topology).topology()).isEqualTo(topology);
    Optional<GatewayExposure> gw = Optional.of(new GatewayExposure(List.of("*"), "/", "default"));
    PortPolicy exposed = p.withGateway(gw);
    assertThat(exposed.gateway()).isEqualTo(gw);
    assertThat(exposed.balancing()).isEqualTo(p.balancing());
    assertThat(exposed.port()).isEqualTo(p.port());
  }
}
