package io.fairlead.examples.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fairlead.bootstrap.BootstrapParams;
import io.fairlead.translators.ProxyRole;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * A real sidecar Envoy bootstrapped with {@code fairlead bootstrap --on-demand}: it has no CDS
 * wildcard subscription, accepts the listeners Fairlead sends an on-demand group (the on-demand
 * HTTP filter, tcp_proxy on_demand), and holds no cluster of the mesh until it calls one. Needs
 * Docker on Linux (host network, see {@link GatewayEnvoy}); skipped without Docker.
 *
 * <p>Three Services, each with a loopback ClusterIP on the capture port 15001: a connection to
 * 127.0.61.1:15001 is accepted by the capture listener (0.0.0.0:15001), whose original destination
 * is that address, so Envoy hands it to the Service's virtual listener (no iptables needed).
 */
@Testcontainers(disabledWithoutDocker = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EnvoyOnDemandSidecarTest {

  static final List<String> SERVICES = List.of("alpha", "beta", "gamma");
  private static GatewayEnvoy sidecar;
  private static HttpBackends backends;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(
        System.getProperty("os.name").equals("Linux"),
        "Envoy shares the host network: Linux Docker only");
    backends = HttpBackends.start(List.of("127.0.62.11", "127.0.62.12", "127.0.62.13"));
    sidecar =
        GatewayEnvoy.start(
            (xds, admin, unused) ->
                BootstrapParams.builder()
                    .role(ProxyRole.SIDECAR)
                    .xdsAddress(xds)
                    .nodeId("sidecar~on-demand.envoy-test")
                    .cluster("on-demand")
                    .namespace(ScenarioManifests.NAMESPACE)
                    .adminPort(admin)
                    .onDemand(true));
    for (int i = 0; i < SERVICES.size(); i++) {
      sidecar.apply(SERVICES.get(i), manifest(SERVICES.get(i), i));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (sidecar != null) {
      sidecar.close();
    }
    if (backends != null) {
      backends.close();
    }
  }

  /** Service NAME with ClusterIP 127.0.61.(i+1), port 15001, one pod 127.0.62.(11+i). */
  private static String manifest(String name, int i) {
    return manifest(name, i, backends.port());
  }

  static String manifest(String name, int i, int backendPort) {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: %1$s, namespace: %2$s}
        spec:
          clusterIP: 127.0.61.%3$d
          ports: [{name: http, port: 15001, appProtocol: http}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: %1$s-1
          namespace: %2$s
          labels: {kubernetes.io/service-name: %1$s}
        addressType: IPv4
        ports: [{name: http, port: %4$d}]
        endpoints:
          - addresses: ["127.0.62.%5$d"]
            conditions: {ready: true}
        """
        .formatted(name, ScenarioManifests.NAMESPACE, i + 1, backendPort, 11 + i);
  }

  /** The clusters Envoy holds, by name (/clusters lists each host line under its cluster). */
  private static List<String> clusters() throws Exception {
    return Arrays.stream(sidecar.admin("/clusters").split("\n"))
        .map(line -> line.substring(0, line.indexOf("::") < 0 ? 0 : line.indexOf("::")))
        .filter(name -> !name.isEmpty())
        .distinct()
        .sorted()
        .toList();
  }

  private static void awaitListeners() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      String listeners = sidecar.admin("/listeners");
      if (SERVICES.stream()
          .allMatch(s -> listeners.contains(ScenarioManifests.NAMESPACE + "/" + s + ":15001"))) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the sidecar never got its listeners: " + sidecar.admin("/listeners"));
  }

  @Test
  @Order(1)
  void acceptsItsListenersAndHoldsNoClusterBeforeItsFirstCall() throws Exception {
    awaitListeners();
    assertThat(sidecar.stat("listener_manager.lds.update_rejected")).isZero();
    assertThat(clusters())
        .as("no CDS wildcard: only the static xDS cluster")
        .containsExactly("fairlead-xds");
    assertThat(sidecar.stat("cluster_manager.active_clusters")).isEqualTo(1);
    assertThat(sidecar.admin("/stats?filter=cluster_manager.cds"))
        .as("no CDS subscription at all")
        .doesNotContain("cluster_manager.cds.update_attempt");
  }

  @Test
  @Order(2)
  void fetchesOneClusterOnItsFirstCallAndHoldsOnlyThatOne() throws Exception {
    awaitListeners();
    RawHttp.Response r = RawHttp.get("127.0.0.1", "127.0.61.2", 15001, "beta", Map.of());
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.backend()).isEqualTo("127.0.62.12");
    assertThat(clusters()).containsExactly("envoy-test/beta:15001", "fairlead-xds");
    assertThat(sidecar.stat("cluster_manager.active_clusters")).isEqualTo(2);
  }
}
