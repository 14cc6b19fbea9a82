package io.fairlead.examples.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.fairlead.examples.envoy.EnvoyGatewayBehaviourTest.Scenario;
import io.fairlead.policies.AnnotationRegistry;
import io.fairlead.policies.Diagnostic;
import io.fairlead.policies.Severity;
import io.fairlead.translators.ClientKind;
import io.fairlead.translators.KubeModelBuilder;
import io.fairlead.translators.KubeState;
import io.fairlead.translators.ProxyContext;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.input.KubeYaml;
import io.fairlead.translators.model.ServiceModel;
import io.fairlead.translators.xds.XdsResources;
import io.fairlead.translators.xds.XdsTranslator;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The parts of the Envoy tests that need no Docker, checked here so that a failure there is Envoy's
 * behaviour and not the harness: loopback backends, the source-address client, and the scenarios'
 * manifests as Fairlead translates them for the gateway.
 */
class EnvoyHarnessTest {

  @Test
  void httpBackendsShareAPortAndNameThemselves() throws Exception {
    try (HttpBackends b = HttpBackends.start(List.of("127.0.90.11", "127.0.90.12"))) {
      b.add("127.0.90.13");
      for (String ip : b.addresses()) {
        RawHttp.Response r = RawHttp.get("127.0.91.7", ip, b.port(), "x", Map.of());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.backend()).isEqualTo(ip);
        assertThat(r.body()).isEqualTo(ip);
        assertThat(b.arrivals(ip)).isEqualTo(1);
      }
    }
  }

  @Test
  void aHeldBackendKeepsItsRequestsActiveUntilReleased() throws Exception {
    try (HttpBackends b = HttpBackends.start(List.of("127.0.92.11"))) {
      b.hold("127.0.92.11");
      AtomicReference<RawHttp.Response> answer = new AtomicReference<>();
      Thread t =
          new Thread(
              () -> {
                try {
                  answer.set(RawHttp.get("127.0.0.1", "127.0.92.11", b.port(), "x", Map.of()));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      t.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (b.arrivals("127.0.92.11") == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      t.join(300);
      assertThat(answer.get()).as("still held").isNull();
      b.release("127.0.92.11");
      t.join(5_000);
      assertThat(answer.get().status()).isEqualTo(200);
    }
  }

  @Test
  void theRawClientSendsFromTheChosenAddress() throws Exception {
    var server =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 8);
    server.createContext(
        "/",
        ex -> {
          byte[] body = ex.getRemoteAddress().getAddress().getHostAddress().getBytes();
          ex.getResponseHeaders().add("Set-Cookie", "a=1; Max-Age=60");
          ex.getResponseHeaders().add("Set-Cookie", "b=2");
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.start();
    try {
      RawHttp.Response r =
          RawHttp.get(
              "127.3.4.5",
              "127.0.0.1",
              server.getAddress().getPort(),
              "x",
              Map.of("Cookie", "c=3"));
      assertThat(r.body()).isEqualTo("127.3.4.5");
      assertThat(r.headers().get("set-cookie")).containsExactly("a=1; Max-Age=60", "b=2");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void grpcBackendsNameThemselvesInResponseHeaders() throws Exception {
    try (GrpcBackends b = GrpcBackends.start(List.of("127.0.93.11", "127.0.93.12"))) {
      for (String ip : List.of("127.0.93.11", "127.0.93.12")) {
        ManagedChannel ch = NettyChannelBuilder.forAddress(ip, b.port()).usePlaintext().build();
        try {
          AtomicReference<Metadata> headers = new AtomicReference<>();
          HealthGrpc.newBlockingStub(ch)
              .withInterceptors(
                  MetadataUtils.newCaptureMetadataInterceptor(headers, new AtomicReference<>()))
              .check(HealthCheckRequest.getDefaultInstance());
          assertThat(headers.get().get(GrpcBackends.BACKEND)).isEqualTo(ip);
        } finally {
          ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** The weighted scenario's manifests carry the Pods' weights to the gateway's endpoints. */
  @Test
  void theWeightedScenarioSendsItsPodWeights() throws Exception {
    Scenario s = Scenario.WEIGHTED;
    List<String> pods = s.pods(2);
    KubeYaml.Parsed parsed =
        KubeYaml.parse(
            "weighted",
            ScenarioManifests.yaml(
                s.service(),
                s.appProtocol(),
                8080,
                s.annotations(),
                List.of(
                    ScenarioManifests.Pod.weighted(pods.get(0), 3),
                    ScenarioManifests.Pod.weighted(pods.get(1), 1))));
    XdsResources r =
        XdsTranslator.translate(
            KubeModelBuilder.build(
                KubeState.of(parsed.services(), parsed.endpointSlices(), parsed.pods())),
            new ProxyContext(
                ProxyRole.GATEWAY,
                ClientKind.ENVOY,
                "default",
                8080,
                Optional.empty(),
                Optional.empty()));
    assertThat(r.diagnostics()).isEmpty();
    assertThat(
            r.endpoints().get(0).getEndpointsList().stream()
                .flatMap(l -> l.getLbEndpointsList().stream())
                .map(e -> e.getLoadBalancingWeight().getValue())
                .toList())
        .containsExactly(3, 1);
  }

  /** Every scenario of EnvoyGatewayBehaviourTest, translated as the gateway will get it. */
  @Test
  void scenariosTranslateToTheIntendedGatewayConfig() throws Exception {
    List<String> docs = new ArrayList<>();
    for (EnvoyGatewayBehaviourTest.Scenario s : EnvoyGatewayBehaviourTest.Scenario.values()) {
      docs.add(
          ScenarioManifests.yaml(
              s.service(),
              s.appProtocol(),
              8080,
              s.annotations(),
              List.of(
                  ScenarioManifests.Pod.ready("127.0.0.11"),
                  ScenarioManifests.Pod.terminating("127.0.0.12"))));
      for (String backend : s.splitBackends()) {
        docs.add(
            ScenarioManifests.yaml(
                backend,
                s.appProtocol(),
                8080,
                Map.of(),
                List.of(ScenarioManifests.Pod.ready("127.0.0.13"))));
      }
    }
    KubeYaml.Parsed parsed = KubeYaml.parse("scenarios", String.join("---\n", docs));
    ServiceModel model =
        KubeModelBuilder.build(
            KubeState.of(parsed.services(), parsed.endpointSlices(), parsed.pods()));
    XdsResources r =
        XdsTranslator.translate(
            model,
            new ProxyContext(
                ProxyRole.GATEWAY,
                ClientKind.ENVOY,
                "default",
                8080,
                Optional.empty(),
                Optional.empty()));
    List<Diagnostic> problems = new ArrayList<>(model.diagnostics());
    problems.addAll(r.diagnostics());
    problems.removeIf(d -> d.severity() == Severity.INFO);
    // One Envoy runs each scenario, so the fleet-wide cookie clock warning does not apply here.
    problems.removeIf(d -> d.key().equals(AnnotationRegistry.PERSISTENCE_TIMEOUT.fullName()));
    assertThat(problems).isEmpty();
    for (EnvoyGatewayBehaviourTest.Scenario s : EnvoyGatewayBehaviourTest.Scenario.values()) {
      String cluster = ScenarioManifests.NAMESPACE + "/" + s.service() + ":80";
      Cluster c =
          r.clusters().stream().filter(x -> x.getName().equals(cluster)).findFirst().orElseThrow();
      assertThat(c.getLoadBalancingPolicy().getPolicies(0).getTypedExtensionConfig().getName())
          .as(s.name())
          .isEqualTo("envoy.load_balancing_policies." + s.envoyPolicy());
      List<LbEndpoint> eps =
          r.endpoints().stream()
              .filter(e -> e.getClusterName().equals(cluster))
              .flatMap(e -> e.getEndpointsList().stream())
              .flatMap(l -> l.getLbEndpointsList().stream())
              .toList();
      assertThat(eps)
          .extracting(LbEndpoint::getHealthStatus)
          .containsExactly(HealthStatus.HEALTHY, HealthStatus.DRAINING);
      assertThat(r.routes().get(0).getVirtualHostsList())
          .anySatisfy(
              vh ->
                  assertThat(vh.getDomainsList())
                      .containsExactly(ScenarioManifests.host(s.service())));
    }
    // The split's gateway route: the match first, then the 90/10 weights (in hundredths).
    VirtualHost split =
        r.routes().get(0).getVirtualHostsList().stream()
            .filter(vh -> vh.getDomainsList().contains(Scenario.SPLIT.host()))
            .findFirst()
            .orElseThrow();
    assertThat(split.getRoutes(0).getRoute().getCluster())
        .isEqualTo(ScenarioManifests.NAMESPACE + "/split-v2:80");
    assertThat(split.getRoutes(1).getRoute().getWeightedClusters().getClustersList())
        .extracting(c -> c.getName() + "=" + c.getWeight().getValue())
        .containsExactly(
            ScenarioManifests.NAMESPACE + "/split-v1:80=9000",
            ScenarioManifests.NAMESPACE + "/split-v2:80=1000");
  }

  /** EnvoyOnDemandSidecarTest's Services, as its on-demand sidecar is sent them. */
  @Test
  void onDemandSidecarServicesGetVirtualListenersOnTheCapturePort() throws Exception {
    List<String> docs = new ArrayList<>();
    for (int i = 0; i < EnvoyOnDemandSidecarTest.SERVICES.size(); i++) {
      docs.add(
          EnvoyOnDemandSidecarTest.manifest(EnvoyOnDemandSidecarTest.SERVICES.get(i), i, 8080));
    }
    KubeYaml.Parsed parsed = KubeYaml.parse("on-demand", String.join("---\n", docs));
    ServiceModel model =
        KubeModelBuilder.build(KubeState.of(parsed.services(), parsed.endpointSlices()));
    XdsResources r =
        XdsTranslator.translate(
            model,
            ProxyContext.of(ProxyRole.SIDECAR, ClientKind.ENVOY)
                .withDependencies(Optional.empty())
                .withOnDemand(true));
    List<Diagnostic> problems = new ArrayList<>(model.diagnostics());
    problems.addAll(r.diagnostics());
    problems.removeIf(d -> d.severity() == Severity.INFO);
    assertThat(problems).isEmpty();
    assertThat(r.listeners())
        .extracting(
            l ->
                l.getName()
                    + "@"
                    + l.getAddress().getSocketAddress().getAddress()
                    + ":"
                    + l.getAddress().getSocketAddress().getPortValue())
        .containsExactly(
            "envoy-test/alpha:15001@127.0.61.1:15001",
            "envoy-test/beta:15001@127.0.61.2:15001",
            "envoy-test/gamma:15001@127.0.61.3:15001",
            "outbound-capture@0.0.0.0:15001");
    assertThat(r.clusters()).hasSize(4);
  }
}
