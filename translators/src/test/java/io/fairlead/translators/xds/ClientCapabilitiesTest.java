package io.fairlead.translators.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairlead.policies.AnnotationRegistry;
import io.fairlead.policies.CircuitBreakers;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.LoadBalancing;
import io.fairlead.policies.NativeFields;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.PortPolicy;
import io.fairlead.policies.PortSpec;
import io.fairlead.policies.Reason;
import io.fairlead.policies.ServicePolicyParser;
import io.fairlead.translators.ClientKind;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What each client kind is given, and the warning each downgrade leaves. */
class ClientCapabilitiesTest {

  private static final ObjectRef WEB = new ObjectRef("shop", "web");
  private static final PortSpec GRPC = new PortSpec("grpc", 9090, "TCP", Optional.empty());

  private static PortPolicy policy(Map<String, String> annotations) {
    return ServicePolicyParser.parse(WEB, annotations, NativeFields.NONE, List.of(GRPC))
        .ports()
        .get(0);
  }

  private static List<String> warnedKeys(ClientCapabilities.Adapted a) {
    return a.downgrades().stream().map(Diagnostic::key).toList();
  }

  @Test
  void envoyGetsThePolicyUnchanged() {
    PortPolicy p =
        policy(
            Map.of(
                "fairlead.io/lb-policy",
                "maglev",
                "fairlead.io/circuit-breakers",
                "max-connections=10"));
    ClientCapabilities.Adapted a = ClientCapabilities.adapt(p, ClientKind.ENVOY, WEB);
    assertThat(a.policy()).isSameAs(p);
    assertThat(a.downgrades()).isEmpty();
  }

  @Test
  void grpcKeepsOnlyMaxRequestsOfTheCircuitBreakersAndSaysSo() {
    PortPolicy p =
        policy(Map.of("fairlead.io/circuit-breakers", "max-connections=10,max-requests=50"));
    ClientCapabilities.Adapted a = ClientCapabilities.adapt(p, ClientKind.GRPC_JAVA, WEB);
    assertThat(a.policy().resilience().circuitBreakers())
        .contains(
            new CircuitBreakers(
                Optional.empty(), Optional.empty(), Optional.of(50), Optional.empty()));
    assertThat(a.downgrades())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.reason()).isEqualTo(Reason.CLIENT_DOWNGRADE);
              assertThat(d.key()).isEqualTo(AnnotationRegistry.CIRCUIT_BREAKERS.fullName());
              assertThat(d.message()).contains("grpc-java", "only max-requests");
            });
  }

  /**
   * Each limit gRPC cannot apply is warned about on its own, and max-requests alone is no
   * downgrade.
   */
  @Test
  void everyLimitGrpcCannotApplyIsWarnedAbout() {
    for (String limit : List.of("max-connections=1", "max-pending-requests=1", "max-retries=1")) {
      ClientCapabilities.Adapted a =
          ClientCapabilities.adapt(
              policy(Map.of("fairlead.io/circuit-breakers", limit + ",max-requests=5")),
              ClientKind.GRPC_NODE,
              WEB);
      assertThat(warnedKeys(a))
          .as(limit)
          .containsExactly(AnnotationRegistry.CIRCUIT_BREAKERS.fullName());
    }
    ClientCapabilities.Adapted onlyRequests =
        ClientCapabilities.adapt(
            policy(Map.of("fairlead.io/circuit-breakers", "max-requests=5")),
            ClientKind.GRPC_NODE,
            WEB);
    assertThat(onlyRequests.downgrades()).isEmpty();
    assertThat(onlyRequests.policy().resilience().circuitBreakers()).isPresent();
  }

  /** Without max-requests nothing is left for gRPC: no empty circuit-breakers block is sent. */
  @Test
  void grpcGetsNoEmptyCircuitBreakersBlock() {
    ClientCapabilities.Adapted a =
        ClientCapabilities.adapt(
            policy(Map.of("fairlead.io/circuit-breakers", "max-connections=10")),
            ClientKind.GRPC_JAVA,
            WEB);
    assertThat(a.policy().resilience().circuitBreakers()).isEmpty();
    assertThat(warnedKeys(a)).containsExactly(AnnotationRegistry.CIRCUIT_BREAKERS.fullName());
  }

  @Test
  void grpcNodeGetsRoundRobinForLeastRequestAndGrpcJavaKeepsIt() {
    PortPolicy p = policy(Map.of("fairlead.io/lb-policy", "least-request"));
    assertThat(
            ClientCapabilities.adapt(p, ClientKind.GRPC_NODE, WEB).policy().balancing().algorithm())
        .isEqualTo(new LoadBalancing.RoundRobin());
    assertThat(
            ClientCapabilities.adapt(p, ClientKind.GRPC_JAVA, WEB).policy().balancing().algorithm())
        .isInstanceOf(LoadBalancing.LeastRequest.class);
  }

  /** Settings that always have a value are dropped silently unless the user asked for them. */
  @Test
  void defaultsGrpcCannotApplyAreDroppedWithoutAWarning() {
    ClientCapabilities.Adapted quiet =
        ClientCapabilities.adapt(policy(Map.of()), ClientKind.GRPC_JAVA, WEB);
    assertThat(quiet.policy().balancing().panicThreshold()).isEmpty();
    assertThat(quiet.policy().timeouts().idle()).isEmpty();
    assertThat(quiet.downgrades()).isEmpty();

    ClientCapabilities.Adapted asked =
        ClientCapabilities.adapt(
            policy(Map.of("fairlead.io/idle-timeout", "5m", "fairlead.io/panic-threshold", "50")),
            ClientKind.GRPC_JAVA,
            WEB);
    assertThat(warnedKeys(asked))
        .containsExactlyInAnyOrder(
            AnnotationRegistry.IDLE_TIMEOUT.fullName(),
            AnnotationRegistry.PANIC_THRESHOLD.fullName());
  }

  @Test
  void theDialectSaysHowEachClientIsWrittenTo() {
    ClientCapabilities.Dialect envoy = ClientCapabilities.dialect(ClientKind.ENVOY);
    ClientCapabilities.Dialect grpc = ClientCapabilities.dialect(ClientKind.GRPC_NODE);
    assertThat(envoy.typedLbPolicies()).isTrue();
    assertThat(grpc.typedLbPolicies()).isFalse();
    assertThat(envoy.timeoutAsMaxStreamDuration()).isFalse();
    assertThat(grpc.timeoutAsMaxStreamDuration()).isTrue();
    assertThat(grpc.readyLocalitiesOnly()).isTrue();
    assertThat(envoy.httpFilters()).isTrue();
    assertThat(grpc.httpFilters()).isFalse();
    assertThat(ClientCapabilities.dialect(ClientKind.GRPC_JAVA)).isEqualTo(grpc);
  }
}
