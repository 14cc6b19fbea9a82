package io.fairlead.examples.grpcnode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.envoyproxy.controlplane.cache.Resources;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.ObjectRef;
import io.fairlead.policies.Reason;
import io.fairlead.policies.Severity;
import io.fairlead.policies.Subject;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.ProxyRole;
import io.fairlead.xds.ConnectionInfo;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code @grpc/grpc-js-xds} client on Node, fed by an in-process Fairlead: every
 * load-balancing policy must be accepted (no NACK) and behave as promised. grpc-js rejects
 * least-request and typed ring-hash sizes, so Fairlead downgrades and rewrites them for grpc-node;
 * this proves the result with the client itself. One client run serves all tests. Without node or
 * the npm dependencies the class is disabled, with the reason in the report.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(NodeClientAvailable.class)
class GrpcNodeXdsClientTest {

  private static final List<String> BACKENDS = List.of("127.0.0.11", "127.0.0.12", "127.0.0.13");
  private static final int SPREAD_REQUESTS = 90;
  private static final int SPREAD_WARMUP = 6;
  private static final List<String> KEYS =
      List.of("ann", "bob", "cid", "dee", "eve", "fay", "gus", "hal", "ivy", "jon", "kim", "lou");
  private static final int REQUESTS_PER_KEY = 5;
  private static final int SPLIT_REQUESTS = 2000;
  private static final int MATCH_REQUESTS_PER_KEY = 50;

  private DemoServices services;
  private NodeClientRun run;

  @BeforeAll
  void runTheNodeClientAgainstFairlead(@TempDir Path tmp) throws Exception {
    // In a zone: grpc-js rejects endpoints without a locality (see the disabled test below).
    services = new DemoServices(BACKENDS, freePort(), Optional.of("zone-a"));
    List<String> scenarios = new ArrayList<>();
    scenarios.addAll(spread(services, "round-robin"));
    scenarios.addAll(hashed(services, "ring-hash"));
    scenarios.addAll(spread(services, "least-request"));
    scenarios.addAll(spread(services, "weighted-round-robin"));
    scenarios.addAll(hashed(services, "maglev"));
    scenarios.addAll(hashed(services, "everything"));
    scenarios.addAll(
        List.of(
            "--target",
            services.target("canary"),
            "--name",
            "canary",
            "--warmup",
            String.valueOf(SPREAD_WARMUP),
            "--requests",
            String.valueOf(SPLIT_REQUESTS)));
    // The same root, with the split-match header: "always" matches, "sometimes" does not.
    scenarios.addAll(
        List.of(
            "--target",
            services.target("canary"),
            "--name",
            "canary-match",
            "--header",
            DemoServices.CANARY_HEADER,
            "--keys",
            "always,sometimes",
            "--requests",
            String.valueOf(MATCH_REQUESTS_PER_KEY)));
    run = NodeClientRun.against(services, tmp, scenarios);
  }

  @Test
  void everyRpcSucceeds() {
    assertThat(run.result().path("ok").asBoolean())
        .as("client result %s\nstderr:\n%s", run.result(), run.stderr())
        .isTrue();
    assertThat(run.exitCode()).as("exit status; stderr:\n%s", run.stderr()).isZero();
  }

  @Test
  void theClientIsAGrpcNodeProxylessNodeAndRejectedNothing() {
    assertNoNack(run);
    ConnectionInfo c = run.connection().orElseThrow();
    assertThat(c.group().client()).isEqualTo(ClientKind.GRPC_NODE);
    assertThat(c.group().role()).isEqualTo(ProxyRole.PROXYLESS);
    assertThat(c.problems()).isEmpty();
  }

  @Test
  void roundRobinSpreadsOverAllBackends() {
    assertSpread(run.scenario("round-robin"));
  }

  @Test
  void ringHashOnAHeaderSticksEachKeyToOneBackend() {
    assertSticky(run.scenario("ring-hash"));
  }

  @Test
  void leastRequestIsSentAsRoundRobinWithAWarning() {
    assertSpread(run.scenario("least-request"));
    assertThat(run.diagnostics())
        .contains(
            Diagnostic.warning(
                Reason.CLIENT_DOWNGRADE,
                Subject.of(
                    new ObjectRef(DemoServices.NAMESPACE, "least-request"),
                    "grpc",
                    "fairlead.io/lb-policy"),
                "port grpc, grpc-node: grpc-node rejects least-request; round-robin is sent instead"));
  }

  /**
   * grpc-js-xds 1.14 reads client-side WRR only behind an environment flag: Fairlead sends it
   * round-robin, which it accepts (no NACK) and applies.
   */
  @Test
  void weightedRoundRobinIsSentAsRoundRobinWithAWarning() {
    assertSpread(run.scenario("weighted-round-robin"));
    assertThat(run.diagnostics())
        .contains(
            Diagnostic.warning(
                Reason.CLIENT_DOWNGRADE,
                Subject.of(
                    new ObjectRef(DemoServices.NAMESPACE, "weighted-round-robin"),
                    "grpc",
                    "fairlead.io/lb-policy"),
                "port grpc, grpc-node: grpc-node has no client-side weighted round-robin"
                    + " (grpc-js-xds 1.14 enables it only with GRPC_EXPERIMENTAL_XDS_WRR_LB=true);"
                    + " round-robin is sent instead"));
  }

  @Test
  void everyAnnotationAtOnceIsAcceptedAndHashesOnTheHeader() {
    assertSticky(run.scenario("everything"));
  }

  @Test
  void maglevIsSentAsRingHashAndSticks() {
    assertSticky(run.scenario("maglev"));
    assertThat(run.diagnostics())
        .filteredOn(d -> d.object().equals(DemoServices.NAMESPACE + "/maglev"))
        .filteredOn(d -> d.severity() == Severity.WARNING)
        .extracting(Diagnostic::message)
        .anySatisfy(m -> assertThat(m).contains("ring-hash is sent instead"));
  }

  /**
   * {@code fairlead.io/split: canary-v1=90,canary-v2=10}: grpc-js dials the root Service and its
   * weighted_clusters pick sends 90% of 2,000 RPCs to canary-v1 (the first backend) and 10% to
   * canary-v2 (the second), each within 5 points; the root's own pod (the third) gets none.
   */
  @Test
  void aNinetyTenSplitHoldsOverTwoThousandRpcs() {
    JsonNode scenario = run.scenario("canary");
    assertThat(scenario.path("failed").asInt())
        .as("failures: %s", scenario.path("errors"))
        .isZero();
    assertThat(scenario.path("succeeded").asInt()).isEqualTo(SPLIT_REQUESTS);
    Map<String, Integer> perBackend = counts(scenario.path("backends"));
    System.out.println("grpc-node split 90/10 over 2000 RPCs: " + perBackend);
    List<String> addresses = services.backendAddresses();
    assertThat(perBackend.getOrDefault(addresses.get(0), 0))
        .as("canary-v1 in %s", perBackend)
        .isBetween(1700, 1900);
    assertThat(perBackend.getOrDefault(addresses.get(1), 0))
        .as("canary-v2 in %s", perBackend)
        .isBetween(100, 300);
    assertThat(perBackend.getOrDefault(addresses.get(2), 0)).as("the root's own pod").isZero();
  }

  /**
   * {@code fairlead.io/split-match: header:x-canary=always->canary-v2}: grpc-js matches the route
   * on the header before the weighted one, so every request with {@code x-canary: always} reaches
   * canary-v2 (the second backend). A request with another value falls through to the 90/10 split:
   * of 50, at least one reaches canary-v1 (all 50 on canary-v2 has odds of 10^-50), and none
   * reaches the root's own pod.
   */
  @Test
  void aSplitMatchHeaderSendsEveryMatchingRequestToItsVersion() {
    JsonNode scenario = run.scenario("canary-match");
    assertThat(scenario.path("failed").asInt())
        .as("failures: %s", scenario.path("errors"))
        .isZero();
    List<String> addresses = services.backendAddresses();
    Map<String, Integer> always = counts(scenario.path("keys").path("always"));
    Map<String, Integer> sometimes = counts(scenario.path("keys").path("sometimes"));
    System.out.println("grpc-node split-match: always " + always + ", sometimes " + sometimes);
    assertThat(always).isEqualTo(Map.of(addresses.get(1), MATCH_REQUESTS_PER_KEY));
    assertThat(sometimes.values().stream().mapToInt(Integer::intValue).sum())
        .isEqualTo(MATCH_REQUESTS_PER_KEY);
    assertThat(sometimes).containsKey(addresses.get(0)).doesNotContainKey(addresses.get(2));
  }

  @Test
  void endpointsWithoutAZoneAreAccepted(@TempDir Path tmp) throws Exception {
    DemoServices zoneless = new DemoServices(BACKENDS, freePort(), Optional.empty());
    NodeClientRun zonelessRun =
        NodeClientRun.against(zoneless, tmp, spread(zoneless, "round-robin"));
    assertNoNack(zonelessRun);
    assertThat(zonelessRun.exitCode())
        .as("exit status; stderr:\n%s", zonelessRun.stderr())
        .isZero();
  }

  private static List<String> spread(DemoServices services, String service) {
    return List.of(
        "--target",
        services.target(service),
        "--name",
        service,
        "--warmup",
        String.valueOf(SPREAD_WARMUP),
        "--requests",
        String.valueOf(SPREAD_REQUESTS));
  }

  private static List<String> hashed(DemoServices services, String service) {
    return List.of(
        "--target",
        services.target(service),
        "--name",
        service,
        "--header",
        DemoServices.HASH_HEADER,
        "--keys",
        String.join(",", KEYS),
        "--requests",
        String.valueOf(REQUESTS_PER_KEY));
  }

  private static void assertNoNack(NodeClientRun run) {
    assertThat(run.connection())
        .as("connection of %s; client result %s", NodeClientRun.NODE_ID, run.result())
        .isPresent();
    ConnectionInfo c = run.connection().orElseThrow();
    assertThat(c.nacks()).as("NACKs from grpc-js").isEmpty();
    assertThat(c.ackedVersions())
        .containsKeys(
            Resources.V3.LISTENER_TYPE_URL,
            Resources.V3.CLUSTER_TYPE_URL,
            Resources.V3.ENDPOINT_TYPE_URL);
    // The counters outlive the stream: nothing of any type was ever rejected.
    assertThat(run.metrics())
        .containsPattern("(?m)^fairlead_xds_nacks_total\\{type=\"cluster\"\\} 0(\\.0)?$")
        .doesNotContainPattern("(?m)^fairlead_xds_nacks_total\\{[^}]*\\} [1-9]");
  }

  /** Round-robin over three backends: each gets about a third. */
  private void assertSpread(JsonNode scenario) {
    assertThat(scenario.path("failed").asInt())
        .as("failures: %s", scenario.path("errors"))
        .isZero();
    assertThat(scenario.path("succeeded").asInt()).isEqualTo(SPREAD_REQUESTS);
    Map<String, Integer> perBackend = counts(scenario.path("backends"));
    assertThat(perBackend.keySet())
        .containsExactlyInAnyOrderElementsOf(services.backendAddresses());
    int third = SPREAD_REQUESTS / 3;
    assertThat(perBackend.values())
        .as("requests per backend %s", perBackend)
        .allSatisfy(n -> assertThat(n).isBetween(third - 10, third + 10));
  }

  /** Hashing on a header: every key always reaches one backend, and keys use several backends. */
  private void assertSticky(JsonNode scenario) {
    assertThat(scenario.path("failed").asInt())
        .as("failures: %s", scenario.path("errors"))
        .isZero();
    assertThat(scenario.path("succeeded").asInt()).isEqualTo(KEYS.size() * REQUESTS_PER_KEY);
    JsonNode keys = scenario.path("keys");
    assertThat(counts(keys).keySet()).containsExactlyInAnyOrderElementsOf(KEYS);
    Set<String> used = new HashSet<>();
    for (String key : KEYS) {
      Map<String, Integer> perBackend = counts(keys.path(key));
      assertThat(perBackend).as("backends of key %s", key).hasSize(1);
      assertThat(perBackend.values()).containsExactly(REQUESTS_PER_KEY);
      used.addAll(perBackend.keySet());
    }
    assertThat(services.backendAddresses()).containsAll(used);
    assertThat(used).as("backends used by %d keys", KEYS.size()).hasSizeGreaterThanOrEqualTo(2);
  }

  /** A JSON object's fields as numbers (0 for a non-number, such as a nested object). */
  private static Map<String, Integer> counts(JsonNode object) {
    Map<String, Integer> counts = new TreeMap<>();
    object.properties().forEach(e -> counts.put(e.getKey(), e.getValue().asInt()));
    return counts;
  }

  /** A port free on every local address, so all three backends can bind it. */
  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
