package io.fairlead.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.rpc.Status;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final XdsMetrics metrics = new XdsMetrics();
  private SnapshotPublisher publisher;
  private XdsCallbacks callbacks;
  private AdminServer admin;

  @BeforeEach
  void start() throws Exception {
    publisher =
        new SnapshotPublisher(
            new SimpleCache<>(new NodeGroups()), g -> Fixtures.resources(5000), metrics);
    callbacks =
        new XdsCallbacks(
            publisher::groupSeen,
            metrics,
            Clock.fixed(Instant.parse("2025-01-02T03:04:05Z"), ZoneOffset.UTC));
    admin =
        AdminServer.start(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            publisher,
            callbacks,
            metrics);
  }

  @AfterEach
  void stop() {
    admin.close();
  }

  @Test
  void healthIsAlwaysOkButReadinessWaitsForTheFirstPublish() throws Exception {
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    HttpResponse<String> notReady = get("/readyz");
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.body()).contains("waiting");

    publisher.publish();

    assertThat(get("/readyz").statusCode()).isEqualTo(200);
  }

  @Test
  void readinessShowsADegradedSourceAndFailsOnAStalledOne() throws Exception {
    publisher.publish();
    java.util.concurrent.atomic.AtomicReference<io.fairlead.k8s.KubeSource.Health> health =
        new java.util.concurrent.atomic.AtomicReference<>(io.fairlead.k8s.KubeSource.Health.OK);
    admin.sourceHealth(health::get);
    metrics.watchSource(health::get);
    assertThat(get("/readyz").body()).isEqualTo("ready\n");

    health.set(
        new io.fairlead.k8s.KubeSource.Health(
            true, false, java.util.Optional.of("reads no Service at all after 3")));
    HttpResponse<String> degraded = get("/readyz");
    assertThat(degraded.statusCode()).as("still serving the last good state").isEqualTo(200);
    assertThat(degraded.body()).contains("degraded: reads no Service at all after 3");
    assertThat(get("/metrics").body())
        .contains("fairlead_source_degraded 1.0")
        .contains("fairlead_source_stalled 0.0");

    health.set(
        new io.fairlead.k8s.KubeSource.Health(
            false, true, java.util.Optional.of("no scan of /m completed for 40 s")));
    HttpResponse<String> stalled = get("/readyz");
    assertThat(stalled.statusCode()).isEqualTo(503);
    assertThat(stalled.body()).contains("source stalled");
    assertThat(get("/metrics").body()).contains("fairlead_source_stalled 1.0");
  }

  /** /debug/* lists every namespace's config and every proxy: localhost only unless allowed. */
  @Test
  void debugEndpointsAreForLocalhostUnlessAllowed() throws Exception {
    java.util.Optional<InetAddress> external =
        java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
            .flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
            .filter(
                a ->
                    a instanceof java.net.Inet4Address
                        && !a.isLoopbackAddress()
                        && !a.isLinkLocalAddress())
            .findFirst();
    org.junit.jupiter.api.Assumptions.assumeTrue(
        external.isPresent(), "no non-loopback IPv4 address to call from");
    AdminServer wide =
        AdminServer.start(new InetSocketAddress("0.0.0.0", 0), publisher, callbacks, metrics);
    try {
      String base = "http://" + external.get().getHostAddress() + ":" + wide.port();
      HttpResponse<String> refused =
          http.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/debug/connections"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(403);
      assertThat(
              http.send(
                      java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/healthz"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .as("probes are for everyone")
          .isEqualTo(200);
      String local = "http://127.0.0.1:" + wide.port();
      assertThat(
              http.send(
                      java.net.http.HttpRequest.newBuilder(
                              java.net.URI.create(local + "/debug/connections"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);
      wide.debugToAnyone(true);
      assertThat(
              http.send(
                      java.net.http.HttpRequest.newBuilder(
                              java.net.URI.create(base + "/debug/connections"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(200);
    } finally {
      wide.close();
    }
  }

  @Test
  void metricsArePrometheusText() throws Exception {
    HttpResponse<String> metricsPage = get("/metrics");
    assertThat(metricsPage.statusCode()).isEqualTo(200);
    assertThat(metricsPage.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    assertThat(metricsPage.body())
        .contains("fairlead_xds_connected_streams{client=\"envoy\",role=\"sidecar\"} 0")
        .contains("fairlead_xds_pushes_total 0")
        .contains("fairlead_xds_nacks_total{type=\"listener\"} 0")
        .contains("fairlead_xds_ack_latency_seconds_bucket")
        .contains("fairlead_translation_seconds_count")
        .contains("fairlead_diagnostics{severity=\"error\"} 0");
  }

  @Test
  void configOfAConnectedNodeIsProtobufJson() throws Exception {
    publisher.publish();
    callbacks.onStreamOpen(7, "");
    callbacks.onV3StreamRequest(
        7,
        DiscoveryRequest.newBuilder()
            .setNode(NodeGroupsTest.node("gRPC Java").toBuilder().setId("client-1"))
            .setTypeUrl(Resources.V3.LISTENER_TYPE_URL)
            .build());

    HttpResponse<String> response = get("/debug/config?node=client-1");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode config = json.readTree(response.body());
    assertThat(config.get("node").asText()).isEqualTo("client-1");
    assertThat(config.at("/group/label").asText()).isEqualTo("proxyless/grpc-java");
    assertThat(config.at("/versions").size()).isEqualTo(4);
    assertThat(config.at("/clusters/0/name").asText()).isEqualTo("ns/svc:80");
    assertThat(
            config
                .at(
                    "/clusters/0/loadBalancingPolicy/policies/0/typedExtensionConfig/typedConfig/@type")
                .asText())
        .isEqualTo(
            "type.googleapis.com/envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin");
    // Any inside Any: the router filter inside the API listener's connection manager.
    assertThat(
            config
                .at("/listeners/1/apiListener/apiListener/httpFilters/0/typedConfig/@type")
                .asText())
        .endsWith("envoy.extensions.filters.http.router.v3.Router");
    assertThat(
            config
                .at("/listeners/0/filterChains/0/filters/0/typedConfig/rds/routeConfigName")
                .asText())
        .isEqualTo("8080");
    assertThat(config.at("/endpoints/0/endpoints/0/loadBalancingWeight").asInt()).isEqualTo(1);
  }

  @Test
  void configOfAnUnknownNodeIs404WithOneLine() throws Exception {
    HttpResponse<String> response = get("/debug/config?node=nobody");
    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.body()).isEqualTo("unknown node: nobody\n");
    assertThat(get("/debug/config").statusCode()).isEqualTo(400);
    assertThat(rawGet("/debug/config?node=%zz")).startsWith("HTTP/1.1 400");
  }

  @Test
  void connectionsShowAcksAndNacks() throws Exception {
    publisher.publish();
    callbacks.onStreamOpen(3, "");
    DiscoveryRequest first =
        DiscoveryRequest.newBuilder()
            .setNode(NodeGroupsTest.node("envoy").toBuilder().setId("sidecar-1"))
            .setTypeUrl(Resources.V3.CLUSTER_TYPE_URL)
            .build();
    callbacks.onV3StreamRequest(3, first);
    callbacks.onV3StreamResponse(3, first, response(Resources.V3.CLUSTER_TYPE_URL, "v1", "0"));
    callbacks.onV3StreamRequest(
        3, first.toBuilder().clearNode().setVersionInfo("v1").setResponseNonce("0").build());
    callbacks.onV3StreamResponse(3, first, response(Resources.V3.LISTENER_TYPE_URL, "l1", "1"));
    callbacks.onV3StreamRequest(
        3,
        DiscoveryRequest.newBuilder()
            .setTypeUrl(Resources.V3.LISTENER_TYPE_URL)
            .setResponseNonce("1")
            .setErrorDetail(Status.newBuilder().setCode(3).setMessage("bad listener"))
            .build());

    JsonNode connections = json.readTree(get("/debug/connections").body());

    assertThat(connections.size()).isEqualTo(1);
    JsonNode c = connections.get(0);
    assertThat(c.get("node").asText()).isEqualTo("sidecar-1");
    assertThat(c.get("protocol").asText()).isEqualTo("sotw");
    assertThat(c.at("/group/label").asText()).isEqualTo("sidecar/envoy");
    assertThat(c.get("connectedSince").asText()).isEqualTo("2025-01-02T03:04:05Z");
    assertThat(c.at("/ackedVersions").get(Resources.V3.CLUSTER_TYPE_URL).asText()).isEqualTo("v1");
    JsonNode nack = c.at("/nacks").get(Resources.V3.LISTENER_TYPE_URL);
    assertThat(nack.get("message").asText()).isEqualTo("bad listener");
    assertThat(nack.get("rejectedVersion").asText()).isEqualTo("l1");
    assertThat(metrics.scrape())
        .contains("fairlead_xds_nacks_total{type=\"listener\"} 1")
        .contains("fairlead_xds_pushes_total 2")
        .contains("fairlead_xds_ack_latency_seconds_count 1")
        .contains("fairlead_xds_connected_streams{client=\"envoy\",role=\"sidecar\"} 1");

    callbacks.onStreamClose(3, "");
    assertThat(json.readTree(get("/debug/connections").body()).size()).isZero();
    assertThat(metrics.scrape())
        .contains("fairlead_xds_connected_streams{client=\"envoy\",role=\"sidecar\"} 0");
  }

  @Test
  void diagnosticsAreAJsonList() throws Exception {
    publisher.groupSeen(
        io.fairlead.translators.ProxyContext.of(
            io.fairlead.translators.ProxyRole.SIDECAR, io.fairlead.translators.ClientKind.ENVOY));
    publisher.publish();
    JsonNode diagnostics = json.readTree(get("/debug/diagnostics").body());
    assertThat(diagnostics.size()).isEqualTo(1);
    assertThat(diagnostics.get(0).get("severity").asText()).isEqualTo("warning");
    assertThat(diagnostics.get(0).get("object").asText()).isEqualTo("ns/svc");
    assertThat(diagnostics.get(0).get("key").asText()).isEqualTo("fairlead.io/lb");
    assertThat(diagnostics.get(0).get("message").asText()).isEqualTo("fixture warning");
  }

  @Test
  void unknownPathsAndMethodsAreRefused() throws Exception {
    assertThat(get("/healthzz").statusCode()).isEqualTo(404);
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(uri("/healthz"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  private static DiscoveryResponse response(String type, String version, String nonce) {
    return DiscoveryResponse.newBuilder()
        .setTypeUrl(type)
        .setVersionInfo(version)
        .setNonce(nonce)
        .build();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** For requests java.net.URI refuses to build. */
  private String rawGet(String path) throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), admin.port())) {
      socket
          .getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + admin.port() + path);
  }
}
