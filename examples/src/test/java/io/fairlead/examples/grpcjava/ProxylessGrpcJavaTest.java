package io.fairlead.examples.grpcjava;

import static org.assertj.core.api.Assertions.assertThat;

import io.fairlead.demo.Backends;
import io.fairlead.demo.Calls;
import io.fairlead.demo.Echo;
import io.fairlead.demo.EchoBackend;
import io.fairlead.demo.Tally;
import io.fairlead.demo.XdsClients;
import io.fairlead.examples.AllAnnotations;
import io.fairlead.k8s.DirectorySource;
import io.fairlead.xds.ConnectionInfo;
import io.fairlead.xds.ControlPlane;
import io.fairlead.xds.FairleadServer;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * grpc-java's real xDS client against a Fairlead control plane fed by a watched directory, with
 * three backends on 127.0.0.11, .12 and .13 sharing one port. Every test uses one channel to a
 * Service of its own. grpc-java reads its bootstrap once per JVM, so the control plane is shared by
 * the whole class (and surefire runs each test class in a JVM of its own).
 */
class ProxylessGrpcJavaTest {

  private static final String A = "127.0.0.11";
  private static final String B = "127.0.0.12";
  private static final String C = "127.0.0.13";

  /** Two more pods that must get nothing: one terminating, one not ready. */
  private static final String D = "127.0.0.14";

  private static final String E = "127.0.0.15";
  private static final List<String> PODS = List.of(A, B, C);
  private static final String NODE_ID = "e2e-grpc-java";

  /** How soon an endpoint change must reach the client's picks. */
  private static final Duration PROPAGATION_LIMIT = Duration.ofSeconds(2);

  private static final Duration FIRST_CONFIG_LIMIT = Duration.ofSeconds(20);

  /** Every annotation at once (see AllAnnotations). */
  private static final String EVERYTHING = AllAnnotations.yaml("x-user");

  @TempDir static Path dir;
  private static Backends backends;
  private static FairleadServer server;
  private ManagedChannel channel;

  /** One endpoint of an EndpointSlice with its conditions and, optionally, its zone. */
  private record Endpoint(
      String ip, boolean ready, boolean serving, boolean terminating, String zone) {
    static Endpoint ready(String ip) {
      return new Endpoint(ip, true, true, false, null);
    }

    static Endpoint terminating(String ip) {
      return new Endpoint(ip, false, true, true, null);
    }

    static Endpoint notReady(String ip) {
      return new Endpoint(ip, false, false, false, null);
    }

    Endpoint in(String zone) {
      return new Endpoint(ip, ready, serving, terminating, zone);
    }
  }

  @BeforeAll
  static void startControlPlane() throws Exception {
    backends = Backends.start(List.of(A, B, C, D, E), 0);
    Files.writeString(
        dir.resolve("services.yaml"),
        String.join(
            "---\n",
            service("rr", "fairlead.io/lb-policy: round-robin"),
            service("least", "fairlead.io/lb-policy: least-request"),
            service("sticky", "fairlead.io/hash-on: header:x-user"),
            service(
                "maglev", "fairlead.io/lb-policy: maglev\n    fairlead.io/hash-on: header:x-user"),
            service("scale", "fairlead.io/lb-policy: round-robin"),
            service("drain", "fairlead.io/lb-policy: round-robin"),
            service("client", "fairlead.io/hash-on: source-ip"),
            service("ordered", "fairlead.io/hash-on: header:x-user,source-ip"),
            service("zones", "fairlead.io/lb-policy: round-robin"),
            service(
                "retry",
                "fairlead.io/retries: attempts=3,on=unavailable,backoff=5ms-20ms,status=503"),
            service(
                "canary",
                "fairlead.io/split: canary-v1=90,canary-v2=10\n"
                    + "    fairlead.io/split-match: header:x-canary=always->canary-v2"),
            service(
                "weighted",
                "fairlead.io/lb-policy: weighted-round-robin\n"
                    + "    fairlead.io/weighted-round-robin:"
                    + " blackout-period=1s,weight-update-period=100ms"),
            service("canary-v1", "fairlead.io/lb-policy: round-robin"),
            service("canary-v2", "fairlead.io/lb-policy: round-robin"),
            service("everything", EVERYTHING)));
    for (String svc :
        List.of(
            "rr",
            "least",
            "sticky",
            "maglev",
            "drain",
            "client",
            "ordered",
            "retry",
            "weighted",
            "everything")) {
      writeSlice(svc, Endpoint.ready(A), Endpoint.ready(B), Endpoint.ready(C));
    }
    // zone-a: one ready pod, one terminating, one not ready; zone-b: two ready pods.
    writeSlice(
        "zones",
        Endpoint.ready(A).in("zone-a"),
        Endpoint.terminating(D).in("zone-a"),
        Endpoint.notReady(E).in("zone-a"),
        Endpoint.ready(B).in("zone-b"),
        Endpoint.ready(C).in("zone-b"));
    writeSlice("scale", Endpoint.ready(A), Endpoint.ready(B));
    // The root's own pod must get nothing: its clients' requests go to the split's backends.
    writeSlice("canary", Endpoint.ready(C));
    writeSlice("canary-v1", Endpoint.ready(A));
    writeSlice("canary-v2", Endpoint.ready(B));
    server =
        FairleadServer.start(
            new DirectorySource(dir),
            ControlPlane.Settings.onLoopback(Duration.ofMillis(50), Duration.ofMillis(250)));
    XdsClients.useControlPlane("127.0.0.1:" + server.controlPlane().xdsPort(), NODE_ID);
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
    backends.all().forEach(b -> b.delay(Duration.ZERO));
    backends.all().forEach(b -> b.failing(false));
    backends.all().forEach(b -> b.reportUtilization(Double.NaN));
  }

  private static String service(String name, String annotations) {
    return """
        apiVersion: v1
        kind: Service
        metadata:
          name: %s
          namespace: e2e
          annotations:
            %s
        spec:
          ports:
            - name: grpc
              port: 9090
        """
        .formatted(name, annotations);
  }

  /** (Re)writes the one EndpointSlice of a Service, atomically, as Kubernetes would update it. */
  private static void writeSlice(String service, Endpoint... endpoints) throws Exception {
    StringBuilder yaml =
        new StringBuilder(
            """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: %s-1
              namespace: e2e
              labels: {kubernetes.io/service-name: %s}
            addressType: IPv4
            ports: [{name: grpc, port: %d}]
            endpoints:
            """
                .formatted(service, service, backends.port()));
    for (Endpoint e : endpoints) {
      yaml.append(
          "  - addresses: [%s]\n    conditions: {ready: %s, serving: %s, terminating: %s}\n"
              .formatted(e.ip(), e.ready(), e.serving(), e.terminating()));
      if (e.zone() != null) {
        yaml.append("    zone: %s\n".formatted(e.zone()));
      }
    }
    Path target = dir.resolve(service + "-slice.yaml");
    Path partial = dir.resolve(service + "-slice.partial");
    Files.writeString(partial, yaml);
    Files.move(
        partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Retries until the channel has its configuration and a call succeeds. */
  private static void awaitFirstAnswer(ManagedChannel ch) throws InterruptedException {
    long deadline = System.nanoTime() + FIRST_CONFIG_LIMIT.toNanos();
    while (true) {
      try {
        Calls.sequential(ch, 1);
        return;
      } catch (io.grpc.StatusRuntimeException notYet) {
        assertThat(System.nanoTime())
            .as("first answer within " + FIRST_CONFIG_LIMIT)
            .isLessThan(deadline);
        Thread.sleep(20);
      }
    }
  }

  private ManagedChannel open(String service) {
    channel = XdsClients.channel(service + ".e2e.svc.cluster.local:9090");
    return channel;
  }

  private static Map<String, Long> connections() {
    return backends.all().stream()
        .filter(b -> PODS.contains(b.name()))
        .collect(
            Collectors.toMap(
                EchoBackend::name, EchoBackend::connectionsAccepted, (x, y) -> x, TreeMap::new));
  }

  private static Map<String, Long> newConnections(Map<String, Long> before) {
    Map<String, Long> delta = new TreeMap<>();
    connections().forEach((pod, n) -> delta.put(pod, n - before.get(pod)));
    return delta;
  }

  /**
   * grpc-java applies the route's retry policy with its back-off (gRFC A44): a pod that answers
   * UNAVAILABLE to every call costs no failed call, because each is retried on another pod. The
   * HTTP status in the annotation is dropped for gRPC (a warning), and the config is not NACKed.
   */
  @Test
  void retriesOnAGrpcStatusWithBackoffHideAFailingPod() throws Exception {
    ManagedChannel ch = open("retry");
    Calls.untilAnswered(ch, Set.copyOf(PODS), FIRST_CONFIG_LIMIT);
    EchoBackend failing =
        backends.all().stream().filter(b -> b.name().equals(A)).findFirst().orElseThrow();
    long before = failing.failures();
    failing.failing(true);

    Tally tally = Calls.sequential(ch, 200);

    assertThat(tally.total()).isEqualTo(200);
    assertThat(tally.count(A)).isZero();
    // Round robin still picked the failing pod about a third of the time: each was retried.
    assertThat(failing.failures() - before).isGreaterThan(30);
  }

  /**
   * Client-side weighted round-robin from ORCA: every pod attaches a load report (qps 100) to each
   * answer, A reports 90% utilisation and B and C 30%, so their weights are 111, 333 and 333 and A
   * should get a seventh of the calls (429 of 3,000) where round-robin gives it a third. The
   * channel gets wrr_locality around client_side_weighted_round_robin; after the 1s blackout the
   * weights apply.
   */
  @Test
  void aBackendReportingHighUtilisationGetsLessTraffic() throws Exception {
    backends.get(A).reportUtilization(0.9);
    backends.get(B).reportUtilization(0.3);
    backends.get(C).reportUtilization(0.3);
    ManagedChannel ch = open("weighted");
    Calls.untilAnswered(ch, Set.copyOf(PODS), FIRST_CONFIG_LIMIT);
    // Reports for longer than the blackout period, so every pod's weight is in use.
    long warm = System.nanoTime() + Duration.ofMillis(2500).toNanos();
    while (System.nanoTime() < warm) {
      Calls.sequential(ch, 20);
    }

    Tally tally = Calls.sequential(ch, 3000);
    System.out.println("weighted-round-robin, 3000 RPCs: " + tally.counts());

    assertThat(tally.total()).isEqualTo(3000);
    assertThat(tally.count(A)).as("the busy pod").isBetween(300, 600);
    assertThat(tally.count(B)).as("B").isGreaterThan(1100);
    assertThat(tally.count(C)).as("C").isGreaterThan(1100);
  }

  @Test
  void roundRobinSpreadsEveryRequestOverOneConnectionPerBackend() throws Exception {
    Map<String, Long> before = connections();
    ManagedChannel ch = open("rr");
    Calls.untilAnswered(ch, Set.copyOf(PODS), FIRST_CONFIG_LIMIT);

    Tally tally = Calls.sequential(ch, 300);

    assertThat(tally.total()).isEqualTo(300);
    for (String pod : PODS) {
      assertThat(tally.count(pod)).as(pod).isBetween(80, 120);
    }
    assertThat(newConnections(before))
        .containsExactlyInAnyOrderEntriesOf(Map.of(A, 1L, B, 1L, C, 1L));
  }

  @Test
  void leastRequestSteersAwayFromASlowBackend() throws Exception {
    ManagedChannel ch = open("least");
    Calls.untilAnswered(ch, Set.copyOf(PODS), FIRST_CONFIG_LIMIT);
    backends.get(C).delay(Duration.ofMillis(200));

    Tally tally = Calls.concurrent(ch, 240, 12).tally();

    // Round-robin would give the slow backend a third (80). Two random choices (with replacement)
    // still pick it when both draws land on it, so it keeps roughly a tenth to a fifth.
    assertThat(tally.total()).isEqualTo(240);
    assertThat(tally.count(C))
        .as("slow backend")
        .isLessThan(tally.count(A))
        .isLessThan(tally.count(B));
    assertThat(tally.share(C)).isLessThan(0.25);
  }

  @Test
  void ringHashOnAHeaderIsStickyPerKeyAndSpreadsKeys() throws Exception {
    ManagedChannel ch = open("sticky");
    Map<String, Tally> byKey = new TreeMap<>();
    for (int i = 0; i < 30; i++) {
      String key = "user-" + i;
      byKey.put(key, Calls.sequential(ch, 5, Map.of("x-user", key)));
    }

    Set<String> used = new HashSet<>();
    byKey.forEach(
        (key, tally) -> {
          assertThat(tally.counts()).as(key).hasSize(1);
          used.addAll(tally.counts().keySet());
        });
    assertThat(used).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void anAddedEndpointIsUsedAndARemovedOneDroppedWithinTwoSecondsOnTheSameChannel()
      throws Exception {
    ManagedChannel ch = open("scale");
    Calls.untilAnswered(ch, Set.of(A, B), FIRST_CONFIG_LIMIT);
    Map<String, Long> before = connections();

    writeSlice("scale", Endpoint.ready(A), Endpoint.ready(B), Endpoint.ready(C));
    Duration untilUsed = Calls.untilAnswered(ch, Set.of(C), Duration.ofSeconds(10));
    assertThat(untilUsed).isLessThanOrEqualTo(PROPAGATION_LIMIT);

    long removed = System.nanoTime();
    writeSlice("scale", Endpoint.ready(A), Endpoint.ready(B));
    assertThat(untilAvoided(ch, C, removed)).isLessThanOrEqualTo(PROPAGATION_LIMIT);

    // no reconnect: the channel kept its first connections to A and B, and opened one to C
    assertThat(newConnections(before))
        .containsExactlyInAnyOrderEntriesOf(Map.of(A, 0L, B, 0L, C, 1L));
  }

  @Test
  void aTerminatingEndpointGetsNoNewRequests() throws Exception {
    ManagedChannel ch = open("drain");
    Calls.untilAnswered(ch, Set.copyOf(PODS), FIRST_CONFIG_LIMIT);

    long changed = System.nanoTime();
    writeSlice("drain", Endpoint.ready(A), Endpoint.ready(B), Endpoint.terminating(C));
    assertThat(untilAvoided(ch, C, changed)).isLessThanOrEqualTo(PROPAGATION_LIMIT);

    Tally after = Calls.sequential(ch, 90);
    assertThat(after.count(C)).isZero();
    assertThat(after.count(A)).isEqualTo(45);
    assertThat(after.count(B)).isEqualTo(45);
  }

  @Test
  void everyAnnotationAtOnceIsAcceptedAndHashesOnTheHeader() throws Exception {
    ManagedChannel ch = open("everything");
    awaitFirstAnswer(ch);
    for (String user : List.of("ann", "bob", "cid", "dee", "eve", "fay")) {
      assertThat(Calls.sequential(ch, 5, Map.of("x-user", user)).counts()).as(user).hasSize(1);
    }
    assertThat(server.controlPlane().callbacks().connections())
        .allSatisfy(c -> assertThat(c.nacks()).as("NACKs of " + c.nodeId()).isEmpty());
  }

  /**
   * {@code hash-on: header:x-user,source-ip} means the first key that yields a value. For gRPC,
   * source-ip becomes the channel id, and gRPC combines every hash policy that yields a value
   * unless one is terminal (gRFC A42): without {@code terminal} on the header, one user would reach
   * a different pod from each channel.
   */
  @Test
  void orderedHashKeysKeepAUserOnOnePodAcrossChannels() throws Exception {
    ManagedChannel first = open("ordered");
    ManagedChannel second = XdsClients.channel("ordered.e2e.svc.cluster.local:9090");
    try {
      awaitFirstAnswer(first);
      awaitFirstAnswer(second);
      Set<String> used = new HashSet<>();
      for (int i = 0; i < 20; i++) {
        Map<String, String> user = Map.of("x-user", "user-" + i);
        Tally one = Calls.sequential(first, 3, user);
        Tally other = Calls.sequential(second, 3, user);
        assertThat(one.counts()).as("user-%d on the first channel", i).hasSize(1);
        assertThat(other.counts().keySet())
            .as("user-%d on the second channel", i)
            .isEqualTo(one.counts().keySet());
        used.addAll(one.counts().keySet());
      }
      assertThat(used).as("users spread over pods").hasSizeGreaterThanOrEqualTo(2);
    } finally {
      second.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * Locality weights count only endpoints that take traffic: a zone with one ready, one terminating
   * and one not-ready pod weighs 1, not 3, against a zone of two ready pods, so each ready pod gets
   * a third. The other two get nothing.
   */
  @Test
  void eachReadyPodGetsAnEqualShareAcrossZonesWithTerminatingAndNotReadyPods() throws Exception {
    ManagedChannel ch = open("zones");
    Calls.untilAnswered(ch, Set.of(A, B, C), FIRST_CONFIG_LIMIT);

    Tally tally = Calls.sequential(ch, 600);

    assertThat(tally.total()).isEqualTo(600);
    for (String pod : List.of(A, B, C)) {
      // 200 each; the locality pick is random, so ±20% is over 3 standard deviations.
      assertThat(tally.count(pod)).as(pod + " in " + tally.counts()).isBetween(160, 240);
    }
    assertThat(tally.count(D)).as("terminating pod").isZero();
    assertThat(tally.count(E)).as("not-ready pod").isZero();
  }

  /**
   * {@code fairlead.io/split: canary-v1=90,canary-v2=10}: the client dials the root Service and
   * grpc-java's weighted_clusters pick sends 90% of 2,000 RPCs to canary-v1 (pod A) and 10% to
   * canary-v2 (pod B), each within 5 points; the root's own pod C gets none, and the split-match
   * rule sends every x-canary: always RPC to canary-v2.
   */
  @Test
  void aNinetyTenSplitHoldsOverTwoThousandRpcs() throws Exception {
    ManagedChannel ch = open("canary");
    Calls.untilAnswered(ch, Set.of(A, B), FIRST_CONFIG_LIMIT);

    Tally tally = Calls.sequential(ch, 2000);

    assertThat(tally.total()).isEqualTo(2000);
    System.out.println("grpc-java split 90/10 over 2000 RPCs: " + tally.counts());
    assertThat(tally.share(A)).as("canary-v1 in " + tally.counts()).isBetween(0.85, 0.95);
    assertThat(tally.share(B)).as("canary-v2 in " + tally.counts()).isBetween(0.05, 0.15);
    assertThat(tally.count(C)).as("the root's own pod").isZero();

    Tally canary = Calls.sequential(ch, 50, Map.of("x-canary", "always"));
    assertThat(canary.counts()).as("x-canary: always").containsOnlyKeys(B);
    assertThat(server.controlPlane().callbacks().connections())
        .allSatisfy(c -> assertThat(c.nacks()).as("NACKs of " + c.nodeId()).isEmpty());
  }

  /** gRPC cannot hash on addresses: source-ip affinity becomes affinity per client channel. */
  @Test
  void sourceIpAffinityPinsEachChannelToOneBackend() throws Exception {
    Set<String> used = new HashSet<>();
    for (int c = 0; c < 8; c++) {
      ManagedChannel ch = XdsClients.channel("client.e2e.svc.cluster.local:9090");
      try {
        awaitFirstAnswer(ch);
        Tally tally = Calls.sequential(ch, 20);
        assertThat(tally.counts()).as("channel " + c).hasSize(1);
        used.addAll(tally.counts().keySet());
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    assertThat(used).as("channels spread over backends").hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void maglevIsDowngradedToRingHashNotNacked() throws Exception {
    ManagedChannel ch = open("maglev");
    Set<String> used = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      Tally tally = Calls.sequential(ch, 5, Map.of("x-user", "key-" + i));
      assertThat(tally.counts()).as("key-" + i + " sticks to one backend").hasSize(1);
      used.addAll(tally.counts().keySet());
    }
    assertThat(used).hasSizeGreaterThanOrEqualTo(2);

    List<ConnectionInfo> streams =
        server.controlPlane().callbacks().connections().stream()
            .filter(c -> c.nodeId().equals(NODE_ID))
            .toList();
    assertThat(streams).isNotEmpty().allSatisfy(c -> assertThat(c.nacks()).isEmpty());
    assertThat(server.controlPlane().metrics().scrape())
        .contains("fairlead_xds_nacks_total{type=\"cluster\"} 0")
        .contains("fairlead_xds_nacks_total{type=\"listener\"} 0")
        .contains("fairlead_xds_nacks_total{type=\"endpoint\"} 0");
  }

  /**
   * Calls until {@code pod} has been left out of 30 calls in a row (round-robin over the others
   * would have reached it long before) and returns how long after {@code since} that run began.
   */
  private static Duration untilAvoided(ManagedChannel ch, String pod, long since) {
    long giveUp = since + Duration.ofSeconds(10).toNanos();
    int streak = 0;
    long streakStart = 0;
    while (streak < 30) {
      assertThat(System.nanoTime()).as("%s still gets requests after 10 s", pod).isLessThan(giveUp);
      long callStart = System.nanoTime();
      if (Echo.who(ch, Calls.DEADLINE).equals(pod)) {
        streak = 0;
      } else {
        if (streak == 0) {
          streakStart = callStart;
        }
        streak++;
      }
    }
    return Duration.ofNanos(streakStart - since);
  }
}
