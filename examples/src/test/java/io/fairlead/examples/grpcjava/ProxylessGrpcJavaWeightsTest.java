package io.fairlead.examples.grpcjava;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairlead.demo.Backends;
import io.fairlead.demo.Calls;
import io.fairlead.demo.Echo;
import io.fairlead.demo.Tally;
import io.fairlead.demo.XdsClients;
import io.fairlead.k8s.DirectorySource;
import io.fairlead.xds.ControlPlane;
import io.fairlead.xds.FairleadServer;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pod weights ({@code fairlead.io/weight}) with grpc-java's real xDS client: two backends on
 * 127.0.0.21 and .22, the Pods of weight 3 and 1, a Service hashing on a header with ring-hash. Its
 * own class, because grpc-java reads its bootstrap once per JVM (surefire runs each class in one).
 *
 * <p>grpc-java puts an endpoint on the ring with weight {@code locality weight × endpoint weight}
 * ({@code ClusterResolverLoadBalancer}); both Pods are in one locality, so the ring keeps 3:1. The
 * ring has {@code fairlead.io/ring-size: 4096} entries (grpc-java's default cap, {@code
 * RingHashOptions}): 3,072 for the heavy Pod, 1,024 for the light one.
 */
class ProxylessGrpcJavaWeightsTest {

  private static final String HEAVY = "127.0.0.21";
  private static final String LIGHT = "127.0.0.22";
  private static final String NODE_ID = "e2e-grpc-java-weights";
  private static final Duration FIRST_CONFIG_LIMIT = Duration.ofSeconds(20);

  /** Distinct hash keys sent: one RPC each. */
  private static final int KEYS = 16_000;

  @TempDir static Path dir;
  private static Backends backends;
  private static FairleadServer server;
  private ManagedChannel channel;

  @BeforeAll
  static void startControlPlane() throws Exception {
    backends = Backends.start(List.of(HEAVY, LIGHT), 0);
    Files.writeString(
        dir.resolve("service.yaml"),
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: weighted
          namespace: e2e
          annotations:
            fairlead.io/lb-policy: ring-hash
            fairlead.io/hash-on: header:x-user
            fairlead.io/ring-size: '4096'
        spec:
          ports:
            - name: grpc
              port: 9090
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: weighted-1
          namespace: e2e
          labels: {kubernetes.io/service-name: weighted}
        addressType: IPv4
        ports: [{name: grpc, port: %d}]
        endpoints:
          - addresses: [%s]
            conditions: {ready: true}
            targetRef: {kind: Pod, name: heavy, namespace: e2e}
          - addresses: [%s]
            conditions: {ready: true}
            targetRef: {kind: Pod, name: light, namespace: e2e}
        """
            .formatted(backends.port(), HEAVY, LIGHT));
    writePods("3", "1");
    server =
        FairleadServer.start(
            new DirectorySource(dir),
            ControlPlane.Settings.onLoopback(Duration.ofMillis(50), Duration.ofMillis(250)));
    XdsClients.useControlPlane("127.0.0.1:" + server.controlPlane().xdsPort(), NODE_ID);
  }

  /** (Re)writes the two Pods with their weights, atomically. */
  private static void writePods(String heavy, String light) throws Exception {
    String pods =
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: heavy, namespace: e2e, annotations: {fairlead.io/weight: '%s'}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: light, namespace: e2e, annotations: {fairlead.io/weight: '%s'}}
        """
            .formatted(heavy, light);
    Path partial = dir.resolve("pods.partial");
    Files.writeString(partial, pods);
    Files.move(
        partial,
        dir.resolve("pods.yaml"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  @AfterAll
  static void stopControlPlane() {
    if (server != null) {
      server.close();
    }
    if (backends != null) {
      backends.close();
    }
  }

  @AfterEach
  void closeChannel() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** One RPC per distinct key {@code prefix-0 .. prefix-(n-1)}. */
  private static Tally distinctKeys(ManagedChannel ch, String prefix, int n) {
    List<String> answers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      answers.add(Echo.who(ch, Map.of("x-user", prefix + "-" + i), Calls.DEADLINE));
    }
    return Tally.of(answers);
  }

  @Test
  void ringHashFollowsPodWeights() throws Exception {
    channel = XdsClients.channel("weighted.e2e.svc.cluster.local:9090");
    Calls.untilAnswered(channel, Set.of(HEAVY, LIGHT), FIRST_CONFIG_LIMIT);

    Tally tally = distinctKeys(channel, "user", KEYS);
    System.out.println(
        "grpc-java ring-hash, Pod weights 3:1, "
            + KEYS
            + " distinct keys, ring 4096: "
            + tally.counts());
    assertThat(tally.total()).isEqualTo(KEYS);
    // 3:1 within ±10%: the heavy Pod's share 75% ± 7.5 points, the light one's 25% ± 2.5
    assertThat(tally.share(HEAVY)).as("weight 3 in " + tally.counts()).isBetween(0.675, 0.825);
    assertThat(tally.share(LIGHT)).as("weight 1 in " + tally.counts()).isBetween(0.225, 0.275);
    // a key keeps its Pod
    for (int i = 0; i < 100; i++) {
      Map<String, String> key = Map.of("x-user", "user-" + i);
      String first = Echo.who(channel, key, Calls.DEADLINE);
      assertThat(Echo.who(channel, key, Calls.DEADLINE)).as("user-" + i).isEqualTo(first);
    }

    // the Pods' annotations change to 1:1: the next keys split evenly, on the same channel
    writePods("1", "1");
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Tally even;
    do {
      Thread.sleep(200);
      even = distinctKeys(channel, "even", 4_000);
    } while (even.share(LIGHT) < 0.4 && System.nanoTime() < deadline);
    System.out.println("grpc-java ring-hash after the weights became 1:1: " + even.counts());
    assertThat(even.share(LIGHT)).as("weight 1:1 in " + even.counts()).isBetween(0.4, 0.6);
    assertThat(server.controlPlane().callbacks().connections())
        .allSatisfy(c -> assertThat(c.nacks()).as("NACKs of " + c.nodeId()).isEmpty());
  }
}
