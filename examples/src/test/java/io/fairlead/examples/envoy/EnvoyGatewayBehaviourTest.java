package io.fairlead.examples.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fairlead.examples.envoy.ScenarioManifests.Pod;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * What a real Envoy does with what Fairlead sends it: every policy below is configured through
 * Service annotations only, travels over delta ADS to a gateway Envoy, and is checked by the
 * requests that come out the other side. Needs Docker on Linux (the Envoy container shares the host
 * network, see {@link GatewayEnvoy}); without Docker the class is reported as skipped.
 */
@Testcontainers(disabledWithoutDocker = true)
class EnvoyGatewayBehaviourTest {

  /** One Service per scenario, each behind its own gateway host name and its own pod addresses. */
  enum Scenario {
    ROUND_ROBIN_GRPC("greeter", "grpc", Map.of(), "round_robin"),
    COOKIE_HASH(
        "cookie",
        "http",
        Map.of("fairlead.io/hash-on", "cookie:sticky", "fairlead.io/cookie-ttl", "1h"),
        "ring_hash"),
    SOURCE_IP("sourceip", "http", Map.of("fairlead.io/hash-on", "source-ip"), "ring_hash"),
    SOURCE_SUBNET(
        "subnet",
        "http",
        Map.of("fairlead.io/hash-on", "source-ip", "fairlead.io/source-ip-prefix", "24"),
        "ring_hash"),
    STATEFUL_SESSION(
        "session",
        "http",
        Map.of(
            "fairlead.io/session-persistence",
            "cookie:sess",
            "fairlead.io/persistence-timeout",
            "30m"),
        "round_robin"),
    MAGLEV(
        "maglev",
        "http",
        Map.of("fairlead.io/lb-policy", "maglev", "fairlead.io/hash-on", "header:x-user"),
        "maglev"),
    LEAST_REQUEST(
        "least",
        "http",
        Map.of("fairlead.io/lb-policy", "least-request", "fairlead.io/least-request-choices", "10"),
        "least_request"),
    SCALE_UP("scaleup", "http", Map.of(), "round_robin"),
    WEIGHTED("weighted", "http", Map.of(), "round_robin"),
    ORDERED_KEYS(
        "ordered", "http", Map.of("fairlead.io/hash-on", "header:x-user,source-ip"), "ring_hash"),
    XFF_NOT_TRUSTED("xff", "http", Map.of("fairlead.io/hash-on", "source-ip"), "ring_hash"),
    SHORT_IDLE("idle", "http", Map.of("fairlead.io/idle-timeout", "2s"), "round_robin"),
    QUIET_STREAM("quiet", "http", Map.of("fairlead.io/idle-timeout", "30s"), "round_robin"),
    RETRY_ELSEWHERE(
        "retry",
        "http",
        Map.of(
            "fairlead.io/hash-on",
            "header:x-user",
            "fairlead.io/retries",
            "attempts=2,on=connect-failure"),
        "ring_hash"),
    RATE_LIMITED("ratelimit", "http", Map.of("fairlead.io/rate-limit", "5/m"), "round_robin"),
    PER_CLIENT(
        "perclient", "http", Map.of("fairlead.io/rate-limit-per-client", "3/m"), "round_robin"),
    AUDITED("audited", "http", Map.of(), "round_robin"),
    UNAUDITED("unaudited", "http", Map.of("fairlead.io/access-log", "off"), "round_robin"),
    SPLIT(
        "split",
        "http",
        Map.of(
            "fairlead.io/split",
            "split-v1=90,split-v2=10",
            "fairlead.io/split-match",
            "header:x-canary=always->split-v2",
            "fairlead.io/hash-on",
            "header:x-user"),
        "ring_hash"),
    LOAD_AWARE(
        "loadaware",
        "grpc",
        Map.of(
            "fairlead.io/lb-policy",
            "weighted-round-robin",
            "fairlead.io/weighted-round-robin",
            "blackout-period=1s,weight-update-period=100ms"),
        "client_side_weighted_round_robin");

    private final String service;
    private final String appProtocol;
    private final Map<String, String> annotations;
    private final String envoyPolicy;

    Scenario(
        String service, String appProtocol, Map<String, String> annotations, String envoyPolicy) {
      this.service = service;
      this.appProtocol = appProtocol;
      this.annotations = annotations;
      this.envoyPolicy = envoyPolicy;
    }

    String service() {
      return service;
    }

    String appProtocol() {
      return appProtocol;
    }

    Map<String, String> annotations() {
      return annotations;
    }

    /** The typed load-balancing policy Fairlead is expected to send for it. */
    String envoyPolicy() {
      return envoyPolicy;
    }

    String host() {
      return ScenarioManifests.host(service);
    }

    /** The Services a {@code fairlead.io/split} on this scenario's Service names, if any. */
    List<String> splitBackends() {
      String split = annotations.get("fairlead.io/split");
      if (split == null) {
        return List.of();
      }
      return Arrays.stream(split.split(",")).map(w -> w.substring(0, w.indexOf('='))).toList();
    }

    /** Pod addresses 127.0.K.11, .12, ... with K unique to the scenario. */
    List<String> pods(int count) {
      List<String> ips = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        ips.add("127.0." + (20 + ordinal()) + "." + (11 + i));
      }
      return ips;
    }
  }

  private static GatewayEnvoy gateway;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(
        System.getProperty("os.name").equals("Linux"),
        "Envoy shares the host network: Linux Docker only");
    gateway = GatewayEnvoy.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
  }

  private static List<Pod> ready(List<String> ips) {
    return ips.stream().map(Pod::ready).toList();
  }

  private static void apply(Scenario s, int port, List<Pod> pods) throws Exception {
    gateway.apply(
        s.service(),
        ScenarioManifests.yaml(s.service(), s.appProtocol(), port, s.annotations(), pods));
  }

  private static RawHttp.Response awaitAnswer(Scenario s) throws Exception {
    return gateway.await(
        s.host(),
        Map.of(),
        r -> r.status() == 200 && r.header(HttpBackends.BACKEND_HEADER).isPresent());
  }

  private static String backend(Scenario s, String source, Map<String, String> headers)
      throws Exception {
    RawHttp.Response r = gateway.get(source, s.host(), headers);
    assertThat(r.status()).as("status from %s with %s", source, headers).isEqualTo(200);
    return r.backend();
  }

  @Test
  void oneHttp2ConnectionIsBalancedPerRequestOverThreeBackends() throws Exception {
    Scenario s = Scenario.ROUND_ROBIN_GRPC;
    List<String> pods = s.pods(3);
    try (GrpcBackends backends = GrpcBackends.start(pods)) {
      apply(s, backends.port(), ready(pods));
      ManagedChannel warmup = channel(s);
      try {
        awaitGrpc(warmup);
      } finally {
        warmup.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      String connections = "listener.0.0.0.0_" + gateway.gatewayPort() + ".downstream_cx_total";
      long before = gateway.stat(connections);
      ManagedChannel ch = channel(s);
      Map<String, Integer> counts = new TreeMap<>();
      try {
        for (int i = 0; i < 30; i++) {
          AtomicReference<Metadata> headers = new AtomicReference<>();
          HealthGrpc.newBlockingStub(ch)
              .withInterceptors(
                  MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()))
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance());
          counts.merge(headers.get().get(GrpcBackends.BACKEND), 1, Integer::sum);
        }
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      assertThat(gateway.stat(connections) - before).as("downstream connections").isEqualTo(1);
      assertThat(counts).containsOnlyKeys(pods);
      assertThat(counts.values()).as("round-robin per request: %s", counts).allMatch(n -> n >= 9);
    }
  }

  private static ManagedChannel channel(Scenario s) {
    return NettyChannelBuilder.forAddress("127.0.0.1", gateway.gatewayPort())
        .overrideAuthority(s.host())
        .usePlaintext()
        .build();
  }

  private static void awaitGrpc(ManagedChannel ch) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        HealthGrpc.newBlockingStub(ch)
            .withDeadlineAfter(2, TimeUnit.SECONDS)
            .check(HealthCheckRequest.getDefaultInstance());
        return;
      } catch (StatusRuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the gRPC route never worked", e);
        }
        Thread.sleep(200);
      }
    }
  }

  @Test
  void aGeneratedHashCookieCarriesItsTtlAndPinsLaterRequests() throws Exception {
    Scenario s = Scenario.COOKIE_HASH;
    List<String> pods = s.pods(3);
    try (HttpBackends backends = HttpBackends.start(pods)) {
      apply(s, backends.port(), ready(pods));
      RawHttp.Response first = awaitAnswer(s);
      String setCookie =
          first
              .header("set-cookie")
              .orElseThrow(() -> new AssertionError("no Set-Cookie: " + first));
      assertThat(setCookie).startsWith("sticky=").contains("Max-Age=3600");
      String cookie = setCookie.split(";")[0];
      for (int i = 0; i < 20; i++) {
        RawHttp.Response r = gateway.get("127.0.0.1", s.host(), Map.of("Cookie", cookie));
        assertThat(r.backend()).isEqualTo(first.backend());
        assertThat(r.header("set-cookie"))
            .as("a request with the cookie gets no new one")
            .isEmpty();
      }
      Map<String, String> byCookie = new HashMap<>();
      for (int i = 0; i < 30; i++) {
        byCookie.put("user-" + i, backend(s, "127.0.0.1", Map.of("Cookie", "sticky=user-" + i)));
      }
      for (var e : byCookie.entrySet()) {
        assertThat(backend(s, "127.0.0.1", Map.of("Cookie", "sticky=" + e.getKey())))
            .isEqualTo(e.getValue());
      }
      assertThat(new HashSet<>(byCookie.values()))
          .as("cookies spread over the pods")
          .hasSizeGreaterThan(1);
    }
  }

  @Test
  void sourceIpAffinityKeepsEachClientAddressOnOnePod() throws Exception {
    Scenario s = Scenario.SOURCE_IP;
    List<String> pods = s.pods(3);
    try (HttpBackends backends = HttpBackends.start(pods)) {
      apply(s, backends.port(), ready(pods));
      awaitAnswer(s);
      Set<String> one = new HashSet<>();
      for (int i = 0; i < 20; i++) {
        one.add(backend(s, "127.1.0.1", Map.of())); // a new connection each time
      }
      assertThat(one).hasSize(1);
      Map<String, String> bySource = new TreeMap<>();
      for (int i = 1; i <= 24; i++) {
        bySource.put("127.1." + i + ".1", backend(s, "127.1." + i + ".1", Map.of()));
      }
      for (var e : bySource.entrySet()) {
        assertThat(backend(s, e.getKey(), Map.of()))
            .as("again from %s", e.getKey())
            .isEqualTo(e.getValue());
      }
      assertThat(new HashSet<>(bySource.values()))
          .as("addresses spread over the pods")
          .hasSizeGreaterThan(1);
    }
  }

  @Test
  void subnetAffinityKeepsAWhole24OnOnePod() throws Exception {
    Scenario s = Scenario.SOURCE_SUBNET;
    List<String> pods = s.pods(3);
    try (HttpBackends backends = HttpBackends.start(pods)) {
      apply(s, backends.port(), ready(pods));
      awaitAnswer(s);
      Set<String> subnet = new HashSet<>();
      for (int host = 1; host <= 20; host++) {
        subnet.add(backend(s, "127.2.5." + host, Map.of()));
      }
      assertThat(subnet).as("20 clients of 127.2.5.0/24").hasSize(1);
      Map<Integer, String> bySubnet = new TreeMap<>();
      for (int net = 1; net <= 24; net++) {
        bySubnet.put(net, backend(s, "127.2." + net + ".7", Map.of()));
      }
      for (var e : bySubnet.entrySet()) {
        assertThat(backend(s, "127.2." + e.getKey() + ".200", Map.of()))
            .as("another client of the same /24")
            .isEqualTo(e.getValue());
      }
      assertThat(new HashSet<>(bySubnet.values()))
          .as("subnets spread over the pods")
          .hasSizeGreaterThan(1);
    }
  }

  @Test
  void aStatefulSessionSurvivesAScaleUpAndADrainingPodKeepsItsSessionsOnly() throws Exception {
    Scenario s = Scenario.STATEFUL_SESSION;
    List<String> all = s.pods(4);
    List<String> initial = all.subList(0, 3);
    String added = all.get(3);
    try (HttpBackends backends = HttpBackends.start(initial)) {
      apply(s, backends.port(), ready(initial));
      RawHttp.Response first = awaitAnswer(s);
      String setCookie =
          first
              .header("set-cookie")
              .orElseThrow(() -> new AssertionError("no session cookie: " + first));
      assertThat(setCookie).startsWith("sess=");
      String cookie = setCookie.split(";")[0];
      String pinned = first.backend();
      Map<String, String> withCookie = Map.of("Cookie", cookie);
      for (int i = 0; i < 20; i++) {
        assertThat(backend(s, "127.0.0.1", withCookie)).isEqualTo(pinned);
      }

      backends.add(added);
      apply(s, backends.port(), ready(all));
      gateway.await(s.host(), Map.of(), r -> r.backend().equals(added));
      for (int i = 0; i < 20; i++) {
        assertThat(backend(s, "127.0.0.1", withCookie)).as("after the scale-up").isEqualTo(pinned);
      }

      List<Pod> draining =
          all.stream().map(ip -> ip.equals(pinned) ? Pod.terminating(ip) : Pod.ready(ip)).toList();
      apply(s, backends.port(), draining);
      awaitNoNewRequestsTo(s, pinned);
      for (int i = 0; i < 20; i++) {
        assertThat(backend(s, "127.0.0.1", withCookie))
            .as("the draining pod keeps its session")
            .isEqualTo(pinned);
      }
      for (int i = 0; i < 30; i++) {
        assertThat(backend(s, "127.0.0.1", Map.of()))
            .as("no new session on the draining pod")
            .isNotEqualTo(pinned);
      }
    }
  }

  /**
   * Waits until the update that drains the pod has reached Envoy: 30 new requests in a row avoid
   * it.
   */
  private static void awaitNoNewRequestsTo(Scenario s, String pod) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    int inARow = 0;
    while (inARow < 30) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(pod + " still gets new requests");
      }
      inARow = backend(s, "127.0.0.1", Map.of()).equals(pod) ? 0 : inARow + 1;
    }
  }

  /**
   * A scale-up from 1 to 4 replicas: with Envoy's default 50% panic threshold, 1 ready of 4 would
   * put the priority in panic and spread requests over the 3 pods that are not ready
   * (docs/envoy-semantics.md#panic-threshold). Fairlead sends only the ready one, with no panic.
   */
  @Test
  void aScaleUpSendsNothingToPodsThatAreNotReady() throws Exception {
    Scenario s = Scenario.SCALE_UP;
    List<String> pods = s.pods(4);
    String readyPod = pods.get(0);
    try (HttpBackends backends = HttpBackends.start(pods)) {
      List<Pod> scaling = new ArrayList<>(List.of(Pod.ready(readyPod)));
      pods.subList(1, 4).forEach(ip -> scaling.add(Pod.notReady(ip)));
      apply(s, backends.port(), scaling);
      awaitAnswer(s);
      for (int i = 0; i < 40; i++) {
        assertThat(backend(s, "127.0.0.1", Map.of())).as("request %d", i).isEqualTo(readyPod);
      }
    }
  }

  /**
   * Pod weights (docs/envoy-semantics.md#weights-round-robin): with {@code fairlead.io/weight: 3}
   * on one Pod and 1 on the other, Envoy's round-robin switches to its EDF scheduler and the heavy
   * Pod takes three of every four requests.
   */
  @Test
  void aPodOfWeightThreeGetsThreeQuartersOfRoundRobin() throws Exception {
    Scenario s = Scenario.WEIGHTED;
    List<String> pods = s.pods(2);
    try (HttpBackends backends = HttpBackends.start(pods)) {
      apply(
          s, backends.port(), List.of(Pod.weighted(pods.get(0), 3), Pod.weighted(pods.get(1), 1)));
      awaitAnswer(s);
      // until the weights are in (the first answer may come from a config without them)
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      Map<String, Integer> counts;
      do {
        counts = new TreeMap<>();
        for (int i = 0; i < 400; i++) {
          counts.merge(backend(s, "127.0.0.1", Map.of()), 1, Integer::sum);
        }
      } while (counts.getOrDefault(pods.get(0), 0) < 270 && System.nanoTime() < deadline);
      assertThat(counts).containsOnlyKeys(pods);
      assertThat(counts.get(pods.get(0))).as("weight 3 in %s", counts).isBetween(280, 320);
      assertThat(counts.get(pods.get(1))).as("weight 1 in %s", counts).isBetween(80, 120);
    }
  }

  /**
   * {@code header:x-user,source-ip}: the header decides whenever it is sent (terminal), whatever
   * the address.
   */
  @Test
  void theFirstHashKeyThatYieldsAValueDecides() throws Exception {
    Scenario s = Scenario.ORDERED_KEYS;
    List<String> pods = s.pods(3);
    try (HttpBackends backends = HttpBackends.start(pods)) {
      apply(s, backends.port(), ready(pods));
      awaitAnswer(s);
      Set<String> used = new HashSet<>();
      for (int u = 0; u < 20; u++) {
        Set<String> forUser = new HashSet<>();
        for (int source = 1; source <= 3; source++) {
          forUser.add(backend(s, "127.3." + source + ".1", Map.of("x-user", "user-" + u)));
        }
        assertThat(forUser).as("user-%d from three client addresses", u).hasSize(1);
        used.addAll(forUser);
      }
      assertThat(used).as("users spread over the pods").hasSizeGreaterThan(1);
    }
  }

  /**
   * The client address that is hashed is the connection's, never an X-Forwarded-For a client wrote.
   */
  @Test
  void aClientCannotChooseItsPodWithXForwardedFor() throws Exception {
    Scenario s = Scenario.XFF_NOT_TRUSTED;
    List<String> pods = s.pods(3);
    try (HttpBackends backends = HttpBackends.start(pods)) {
      apply(s, backends.port(), ready(pods));
      awaitAnswer(s);
      Set<String> seen = new HashSet<>();
      for (int i = 1; i <= 30; i++) {
        seen.add(backend(s, "127.4.0.1", Map.of("X-Forwarded-For", "203.0.113." + i)));
      }
      assertThat(seen).as("one client address, 30 forged X-Forwarded-For values").hasSize(1);
    }
  }

  /**
   * The route's idle timeout replaces the connection manager's 5-minute stream idle timeout: a
   * request quiet for 4 s is reset under {@code idle-timeout: 2s} and completes under 30s.
   */
  @Test
  void theRouteIdleTimeoutDecidesHowLongAQuietStreamLives() throws Exception {
    for (Scenario s : List.of(Scenario.SHORT_IDLE, Scenario.QUIET_STREAM)) {
      List<String> pods = s.pods(1);
      ExecutorService client = Executors.newSingleThreadExecutor();
      try (HttpBackends backends = HttpBackends.start(pods)) {
        apply(s, backends.port(), ready(pods));
        awaitAnswer(s);
        backends.hold(pods.get(0));
        Future<RawHttp.Response> answer =
            client.submit(() -> gateway.get("127.0.0.1", s.host(), Map.of()));
        Thread.sleep(4_000);
        backends.release(pods.get(0));
        int status = answer.get(20, TimeUnit.SECONDS).status();
        if (s == Scenario.SHORT_IDLE) {
          assertThat(status).as("quiet for 4 s under a 2 s idle timeout").isNotEqualTo(200);
        } else {
          assertThat(status).as("quiet for 4 s under a 30 s idle timeout").isEqualTo(200);
        }
      } finally {
        client.shutdownNow();
      }
    }
  }

  /**
   * A pod whose port refuses connections: every user hashed to it would fail, because a retry
   * hashes to the same pod, were it not for the previous_hosts predicate.
   */
  @Test
  void aRetryMovesToAnotherPodEvenWhenTheKeyHashesToTheFailedOne() throws Exception {
    Scenario s = Scenario.RETRY_ELSEWHERE;
    List<String> pods = s.pods(3);
    String dead = pods.get(2);
    try (HttpBackends backends = HttpBackends.start(pods.subList(0, 2))) {
      apply(s, backends.port(), ready(pods));
      awaitAnswer(s);
      for (int u = 0; u < 30; u++) {
        RawHttp.Response r = gateway.get("127.0.0.1", s.host(), Map.of("x-user", "user-" + u));
        assertThat(r.status()).as("user-%d", u).isEqualTo(200);
        assertThat(r.backend()).isNotEqualTo(dead);
      }
    }
  }

  @Test
  void maglevKeepsEachUserOnOnePod() throws Exception {
    Scenario s = Scenario.MAGLEV;
    List<String> pods = s.pods(3);
    try (HttpBackends backends = HttpBackends.start(pods)) {
      apply(s, backends.port(), ready(pods));
      awaitAnswer(s);
      assertThat(gateway.admin("/config_dump?resource=dynamic_active_clusters"))
          .contains("envoy.extensions.load_balancing_policies.maglev.v3.Maglev");
      Set<String> used = new HashSet<>();
      for (int u = 0; u < 30; u++) {
        Set<String> forUser = new HashSet<>();
        for (int i = 0; i < 3; i++) {
          forUser.add(backend(s, "127.0.0.1", Map.of("x-user", "user-" + u)));
        }
        assertThat(forUser).as("user-%s", u).hasSize(1);
        used.addAll(forUser);
      }
      assertThat(used).as("users spread over the pods").hasSizeGreaterThan(1);
    }
  }

  /**
   * Client-side weighted round-robin: the echo pods attach ORCA reports to their answers (in the
   * gRPC trailers), the first at 90% utilisation and the others at 30%, so Envoy weighs them 111,
   * 333 and 333 and the busy one should get a seventh of the calls instead of a third.
   */
  @Test
  void aBackendReportingHighUtilisationGetsLessTraffic() throws Exception {
    Scenario s = Scenario.LOAD_AWARE;
    List<String> pods = s.pods(3);
    String busy = pods.get(0);
    try (io.fairlead.demo.Backends backends = io.fairlead.demo.Backends.start(pods, 0)) {
      backends.get(busy).reportUtilization(0.9);
      pods.subList(1, 3).forEach(p -> backends.get(p).reportUtilization(0.3));
      apply(s, backends.port(), ready(pods));
      ManagedChannel ch = channel(s);
      try {
        io.fairlead.demo.Calls.untilAnswered(ch, Set.copyOf(pods), Duration.ofSeconds(60));
        assertThat(gateway.admin("/config_dump?resource=dynamic_active_clusters"))
            .contains("ClientSideWeightedRoundRobin");
        // Reports for longer than the 1s blackout period.
        long warm = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
        while (System.nanoTime() < warm) {
          io.fairlead.demo.Calls.sequential(ch, 20);
        }
        io.fairlead.demo.Tally tally = io.fairlead.demo.Calls.sequential(ch, 3000);
        assertThat(tally.total()).isEqualTo(3000);
        assertThat(tally.count(busy)).as("the busy pod: %s", tally).isBetween(300, 600);
        for (String p : pods.subList(1, 3)) {
          assertThat(tally.count(p)).as("%s: %s", p, tally).isGreaterThan(1100);
        }
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void leastRequestAvoidsThePodThatIsStillBusy() throws Exception {
    Scenario s = Scenario.LEAST_REQUEST;
    List<String> pods = s.pods(3);
    String slow = pods.get(0);
    ExecutorService clients = Executors.newFixedThreadPool(32);
    try (HttpBackends backends = HttpBackends.start(pods)) {
      apply(s, backends.port(), ready(pods));
      awaitAnswer(s);
      assertThat(gateway.admin("/config_dump?resource=dynamic_active_clusters"))
          .contains("envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest");
      Map<String, Integer> before = new HashMap<>();
      pods.forEach(p -> before.put(p, backends.arrivals(p)));
      backends.hold(slow);
      List<Future<RawHttp.Response>> answers = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        answers.add(clients.submit(() -> gateway.get("127.0.0.1", s.host(), Map.of())));
        Thread.sleep(30);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (pods.stream().mapToInt(p -> backends.arrivals(p) - before.get(p)).sum() < 30
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      int toSlow = backends.arrivals(slow) - before.get(slow);
      backends.release(slow);
      for (Future<RawHttp.Response> a : answers) {
        assertThat(a.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
      }
      // round-robin would send it 10 of 30; least-request (10 choices) only when it is not busy
      assertThat(toSlow).as("requests sent to the busy pod").isLessThanOrEqualTo(2);
    } finally {
      clients.shutdownNow();
    }
  }

  /**
   * fairlead.io/rate-limit: the gateway's bucket lets 5 requests a minute through and answers the
   * rest 429, with x-ratelimit headers, without reaching a pod.
   */
  @Test
  void requestsAboveTheRateLimitAre429WithRateLimitHeaders() throws Exception {
    Scenario s = Scenario.RATE_LIMITED;
    List<String> pods = s.pods(2);
    try (HttpBackends backends = HttpBackends.start(pods)) {
      apply(s, backends.port(), ready(pods));
      awaitAnswer(s);
      List<RawHttp.Response> answers = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        answers.add(gateway.get("127.0.0.1", s.host(), Map.of()));
      }
      assertThat(answers.stream().filter(r -> r.status() == 200).count())
          .as("at most the 5 tokens of the minute, one of them spent while waiting")
          .isLessThanOrEqualTo(4);
      assertThat(answers.stream().filter(r -> r.status() == 429).count())
          .isGreaterThanOrEqualTo(16);
      assertThat(answers)
          .filteredOn(r -> r.status() == 429)
          .allSatisfy(r -> assertThat(r.header(HttpBackends.BACKEND_HEADER)).isEmpty());
      assertThat(answers).anySatisfy(r -> assertThat(r.header("x-ratelimit-limit")).contains("5"));
    }
  }

  /**
   * fairlead.io/rate-limit-per-client: each client address has its own bucket on the gateway, so
   * one client's 429s leave another's requests alone.
   */
  @Test
  void eachClientAddressHasItsOwnBucket() throws Exception {
    Scenario s = Scenario.PER_CLIENT;
    List<String> pods = s.pods(2);
    try (HttpBackends backends = HttpBackends.start(pods)) {
      apply(s, backends.port(), ready(pods));
      awaitAnswer(s);
      List<Integer> greedy = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        greedy.add(gateway.get("127.5.0.1", s.host(), Map.of()).status());
      }
      assertThat(greedy.stream().filter(x -> x == 200).count()).isEqualTo(3);
      assertThat(greedy.stream().filter(x -> x == 429).count()).isEqualTo(7);
      assertThat(gateway.get("127.5.0.2", s.host(), Map.of()).status())
          .as("another client address")
          .isEqualTo(200);
    }
  }

  /** The access log: one JSON line per request with the request id and the response flags. */
  @Test
  void eachRequestIsOneJsonAccessLogLine() throws Exception {
    Scenario s = Scenario.AUDITED;
    List<String> pods = s.pods(1);
    try (HttpBackends backends = HttpBackends.start(pods)) {
      apply(s, backends.port(), ready(pods));
      awaitAnswer(s);
      String id = "audit-" + System.nanoTime();
      assertThat(gateway.get("127.6.0.1", s.host(), Map.of("x-request-id", id)).status())
          .isEqualTo(200);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      String line = null;
      while (line == null && System.nanoTime() < deadline) {
        line = gateway.stdout().lines().filter(l -> l.contains(id)).findFirst().orElse(null);
        Thread.sleep(200);
      }
      assertThat(line).as("an access log line with " + id).isNotNull();
      com.fasterxml.jackson.databind.JsonNode json =
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
      assertThat(json.at("/request_id").asText()).isEqualTo(id);
      assertThat(json.at("/method").asText()).isEqualTo("GET");
      assertThat(json.at("/client").asText()).isEqualTo("127.6.0.1");
      assertThat(json.at("/status").asInt()).isEqualTo(200);
      assertThat(json.at("/upstream_host").asText()).startsWith(pods.get(0));
    }
  }

  /**
   * fairlead.io/access-log: off on one exposed Service: the gateway's one access log skips its
   * requests (the CEL filter on the marked routes) and still logs another Service's.
   */
  @Test
  void aGatewayPortWithAccessLogOffIsNotLogged() throws Exception {
    Scenario quiet = Scenario.UNAUDITED;
    Scenario audited = Scenario.AUDITED;
    List<String> quietPods = quiet.pods(1);
    List<String> auditedPods = audited.pods(1);
    try (HttpBackends quietBackends = HttpBackends.start(quietPods);
        HttpBackends auditedBackends = HttpBackends.start(auditedPods)) {
      apply(quiet, quietBackends.port(), ready(quietPods));
      apply(audited, auditedBackends.port(), ready(auditedPods));
      awaitAnswer(quiet);
      awaitAnswer(audited);
      String quietId = "quiet-" + System.nanoTime();
      String loggedId = "logged-" + System.nanoTime();
      assertThat(gateway.get("127.6.0.2", quiet.host(), Map.of("x-request-id", quietId)).status())
          .isEqualTo(200);
      assertThat(
              gateway.get("127.6.0.2", audited.host(), Map.of("x-request-id", loggedId)).status())
          .isEqualTo(200);
      // The logged request's line comes after the quiet one's would have: once it is there, the
      // quiet request has had its chance to be logged.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (gateway.stdout().lines().noneMatch(l -> l.contains(loggedId))
          && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertThat(gateway.stdout()).contains(loggedId).doesNotContain(quietId);
    }
  }

  /**
   * fairlead.io/split with split-match and hash-on: requests without a key follow the 90/10 weights
   * (1,000 of them, each version within 5 points); each user key stays on one version (the weighted
   * pick uses the route's hash policy); x-canary: always reaches split-v2 only; the root's own pod
   * gets nothing.
   */
  @Test
  void aSplitHoldsItsWeightsKeepsEachUserOnOneVersionAndHonoursTheMatch() throws Exception {
    Scenario s = Scenario.SPLIT;
    List<String> pods = s.pods(3);
    String own = pods.get(0);
    String v1 = pods.get(1);
    String v2 = pods.get(2);
    try (HttpBackends backends = HttpBackends.start(pods)) {
      String yaml =
          String.join(
              "---\n",
              ScenarioManifests.yaml(
                  s.service(),
                  s.appProtocol(),
                  backends.port(),
                  s.annotations(),
                  ready(List.of(own))),
              ScenarioManifests.yaml(
                  "split-v1", s.appProtocol(), backends.port(), Map.of(), ready(List.of(v1))),
              ScenarioManifests.yaml(
                  "split-v2", s.appProtocol(), backends.port(), Map.of(), ready(List.of(v2))));
      gateway.apply(s.service(), yaml);
      awaitAnswer(s);
      Map<String, Integer> unkeyed = new TreeMap<>();
      for (int i = 0; i < 1000; i++) {
        unkeyed.merge(backend(s, "127.0.0.1", Map.of()), 1, Integer::sum);
      }
      assertThat(unkeyed.getOrDefault(v1, 0)).as("split-v1 in %s", unkeyed).isBetween(850, 950);
      assertThat(unkeyed.getOrDefault(v2, 0)).as("split-v2 in %s", unkeyed).isBetween(50, 150);
      assertThat(unkeyed).doesNotContainKey(own);
      Set<String> versionsSeen = new TreeSet<>();
      for (int user = 0; user < 40; user++) {
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < 5; i++) {
          seen.add(backend(s, "127.0.0.1", Map.of("x-user", "user-" + user)));
        }
        assertThat(seen).as("user-%d", user).hasSize(1);
        versionsSeen.addAll(seen);
      }
      assertThat(versionsSeen).as("40 users over both versions").containsExactly(v1, v2);
      for (int i = 0; i < 50; i++) {
        assertThat(backend(s, "127.0.0.1", Map.of("x-canary", "always"))).isEqualTo(v2);
      }
    }
  }
}
