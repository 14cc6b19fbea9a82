package io.fairlead.translators.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.HashKey;
import io.fairlead.policies.LoadBalancing;
import io.fairlead.policies.NativeFields;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.PortPolicy;
import io.fairlead.policies.PortSpec;
import io.fairlead.policies.RetryPolicy;
import io.fairlead.policies.ServicePolicyParser;
import io.fairlead.policies.Severity;
import io.fairlead.translators.ClientKind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each downgrade for proxyless gRPC: what the client gets, and the one warning that says so. */
class ClientDowngradesTest {

  private static final ObjectRef WEB = new ObjectRef("shop", "web");
  private static final PortSpec HTTP = new PortSpec("http", 80, "TCP", Optional.empty());

  private static PortPolicy policy(Map<String, String> annotations) {
    return ServicePolicyParser.parse(WEB, annotations, NativeFields.NONE, List.of(HTTP))
        .ports()
        .get(0);
  }

  private static ClientCapabilities.Adapted grpc(Map<String, String> annotations) {
    return ClientCapabilities.adapt(policy(annotations), ClientKind.GRPC_JAVA, WEB);
  }

  private static Diagnostic only(ClientCapabilities.Adapted a) {
    assertThat(a.downgrades()).hasSize(1);
    Diagnostic d = a.downgrades().get(0);
    assertThat(d.severity()).isEqualTo(Severity.WARNING);
    assertThat(d.object()).isEqualTo("shop/web");
    return d;
  }

  @Test
  void maglevBecomesDefaultRingHash() {
    ClientCapabilities.Adapted a =
        grpc(Map.of("fairlead.io/lb-policy", "maglev", "fairlead.io/hash-on", "header:u"));
    assertThat(a.policy().balancing().algorithm())
        .isEqualTo(new LoadBalancing.RingHash(1024, 8388608));
    assertThat(a.policy().affinity().hashKeys()).containsExactly(new HashKey.Header("u"));
    Diagnostic d = only(a);
    assertThat(d.key()).isEqualTo("fairlead.io/lb-policy");
    assertThat(d.message())
        .isEqualTo("port http, grpc-java: gRPC rejects maglev; ring-hash is sent instead");
  }

  @Test
  void weightedRoundRobinStaysForGrpcJavaAndBecomesRoundRobinOnGrpcNode() {
    Map<String, String> wrr =
        Map.of(
            "fairlead.io/lb-policy", "weighted-round-robin",
            "fairlead.io/weighted-round-robin", "blackout-period=3s");
    ClientCapabilities.Adapted java = grpc(wrr);
    assertThat(java.downgrades()).isEmpty();
    assertThat(java.policy().balancing().algorithm())
        .isEqualTo(policy(wrr).balancing().algorithm());
    ClientCapabilities.Adapted node =
        ClientCapabilities.adapt(policy(wrr), ClientKind.GRPC_NODE, WEB);
    assertThat(node.policy().balancing().algorithm()).isEqualTo(new LoadBalancing.RoundRobin());
    assertThat(only(node).message())
        .startsWith("port http, grpc-node: grpc-node has no client-side weighted round-robin");
    assertThat(ClientCapabilities.supportsWeightedRoundRobin(ClientKind.ENVOY)).isTrue();
    assertThat(ClientCapabilities.supportsWeightedRoundRobin(ClientKind.GRPC_JAVA)).isTrue();
    assertThat(ClientCapabilities.supportsWeightedRoundRobin(ClientKind.GRPC_NODE)).isFalse();
  }

  @Test
  void randomBecomesRoundRobin() {
    ClientCapabilities.Adapted a = grpc(Map.of("fairlead.io/lb-policy", "random"));
    assertThat(a.policy().balancing().algorithm()).isEqualTo(new LoadBalancing.RoundRobin());
    assertThat(only(a).message()).contains("no random policy");
  }

  @Test
  void leastRequestOnGrpcNodeSaysWhichClient() {
    ClientCapabilities.Adapted a =
        ClientCapabilities.adapt(
            policy(Map.of("fairlead.io/lb-policy", "least-request")), ClientKind.GRPC_NODE, WEB);
    assertThat(only(a).message())
        .isEqualTo(
            "port http, grpc-node: grpc-node rejects least-request; round-robin is sent instead");
    assertThat(ClientCapabilities.supportsLeastRequest(ClientKind.ENVOY)).isTrue();
    assertThat(ClientCapabilities.supportsLeastRequest(ClientKind.GRPC_JAVA)).isTrue();
    assertThat(ClientCapabilities.supportsLeastRequest(ClientKind.GRPC_NODE)).isFalse();
    assertThat(grpc(Map.of("fairlead.io/lb-policy", "least-request")).downgrades()).isEmpty();
  }

  @Test
  void sourceIpBecomesTheChannelIdAndOtherKeysAreDropped() {
    ClientCapabilities.Adapted a =
        grpc(Map.of("fairlead.io/hash-on", "cookie:c,source-ip,header:u,query:q"));
    assertThat(a.policy().affinity().hashKeys())
        .containsExactly(new HashKey.ChannelId(), new HashKey.Header("u"));
    assertThat(a.downgrades())
        .extracting(Diagnostic::message)
        .containsExactly(
            "port http, grpc-java: gRPC hashes on headers only; cookie:c is not sent",
            "port http, grpc-java: gRPC cannot hash on the client address; source-ip becomes the gRPC channel id (each client channel sticks to one backend)",
            "port http, grpc-java: gRPC hashes on headers only; query:q is not sent");
  }

  @Test
  void whenNoKeyIsLeftTheRingPicksAtRandomAndSaysSo() {
    ClientCapabilities.Adapted a = grpc(Map.of("fairlead.io/hash-on", "cookie:c"));
    assertThat(a.policy().affinity().hashKeys()).isEmpty();
    assertThat(a.downgrades())
        .extracting(Diagnostic::message)
        .last()
        .asString()
        .endsWith("no hash key is left for gRPC, so ring-hash picks endpoints at random");
    assertThat(grpc(Map.of()).downgrades()).isEmpty();
  }

  @Test
  void retriesOnHttpConditionsBecomeUnavailable() {
    ClientCapabilities.Adapted a =
        grpc(Map.of("fairlead.io/retries", "attempts=3,on=5xx|cancelled|reset,per-try-timeout=1s"));
    assertThat(a.policy().resilience().retries())
        .contains(new RetryPolicy(3, List.of("unavailable", "cancelled"), Optional.empty()));
    assertThat(a.downgrades())
        .extracting(Diagnostic::message)
        .containsExactly(
            "port http, grpc-java: gRPC retries on gRPC statuses only; 5xx|cancelled|reset becomes unavailable|cancelled",
            "port http, grpc-java: gRPC has no per-try timeout; it is not sent");
    ClientCapabilities.Adapted statuses =
        grpc(Map.of("fairlead.io/retries", "on=unavailable|deadline-exceeded"));
    assertThat(statuses.downgrades()).isEmpty();
    assertThat(statuses.policy().resilience().retries().orElseThrow().on())
        .containsExactly("unavailable", "deadline-exceeded");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "fairlead.io/hash-balance-factor|150|gRPC has no bounded-load hashing",
        "fairlead.io/slow-start|30s|gRPC has no slow start",
        "fairlead.io/port-affinity|all-ports|gRPC cannot hash on the pod identity",
        "fairlead.io/session-persistence|cookie:s|gRPC clients have no stateful sessions",
        "fairlead.io/health-check|http:/h|gRPC clients do no active health checking",
        "fairlead.io/outlier-detection|default|gRPC implements no consecutive-5xx ejection",
        "fairlead.io/max-connection-duration|1h|a proxyless client balances each request itself",
        "fairlead.io/panic-threshold|20|gRPC has no panic mode; it only uses ready endpoints",
        "fairlead.io/idle-timeout|1m|gRPC clients have no per-stream idle timer"
      })
  void whatGrpcCannotApplyIsDroppedWithAWarning(String key, String value, String why) {
    Map<String, String> a =
        key.endsWith("hash-balance-factor") || key.endsWith("port-affinity")
            ? Map.of(key, value, "fairlead.io/hash-on", "header:u")
            : Map.of(key, value);
    ClientCapabilities.Adapted adapted = grpc(a);
    Diagnostic d = only(adapted);
    assertThat(d.key()).isEqualTo(key);
    assertThat(d.message()).isEqualTo("port http, grpc-java: " + why + "; not sent");
    PortPolicy p = adapted.policy();
    assertThat(p.balancing().hashBalanceFactor()).isEmpty();
    assertThat(p.balancing().slowStart()).isEmpty();
    assertThat(p.balancing().panicThreshold()).isEmpty();
    assertThat(p.affinity().portAffinity()).isFalse();
    assertThat(p.affinity().sessionPersistence()).isEmpty();
    assertThat(p.resilience().healthCheck()).isEmpty();
    assertThat(p.resilience().outlierDetection()).isEmpty();
    assertThat(p.timeouts().maxConnectionDuration()).isEmpty();
    assertThat(p.timeouts().idle()).isEmpty();
    // Envoy keeps it
    assertThat(ClientCapabilities.adapt(policy(a), ClientKind.ENVOY, WEB).policy())
        .isEqualTo(policy(a));
  }

  @Test
  void whatGrpcCanApplyIsKept() {
    ClientCapabilities.Adapted a =
        grpc(
            Map.of(
                "fairlead.io/timeout", "3s",
                "fairlead.io/hash-on", "header:u",
                "fairlead.io/ring-size", "8-16"));
    assertThat(a.downgrades()).isEmpty();
    assertThat(a.policy().timeouts().request()).contains(Duration.ofSeconds(3));
    assertThat(a.policy().balancing().algorithm()).isEqualTo(new LoadBalancing.RingHash(8, 16));
  }

  @Test
  void aWarningIsGivenOnceAndTheChannelIdOnce() {
    PortPolicy p = policy(Map.of("fairlead.io/hash-on", "source-ip"));
    PortPolicy twoSourceIps =
        p.withAffinity(
            p.affinity()
                .withHashKeys(
                    List.of(new HashKey.SourceIp(32, 128), new HashKey.SourceIp(24, 64))));
    ClientCapabilities.Adapted a =
        ClientCapabilities.adapt(twoSourceIps, ClientKind.GRPC_JAVA, WEB);
    assertThat(a.policy().affinity().hashKeys()).containsExactly(new HashKey.ChannelId());
    assertThat(only(a).message()).contains("source-ip becomes the gRPC channel id");
  }

  @Test
  void theDialects() {
    ClientCapabilities.Dialect envoy = ClientCapabilities.dialect(ClientKind.ENVOY);
    ClientCapabilities.Dialect grpc = ClientCapabilities.dialect(ClientKind.GRPC_JAVA);
    assertThat(envoy)
        .isEqualTo(
            new ClientCapabilities.Dialect(
                true, true, false, true, true, false, true, true, true, false));
    assertThat(grpc)
        .isEqualTo(
            new ClientCapabilities.Dialect(
                false, false, true, false, false, true, false, false, false, true));
  }
}
