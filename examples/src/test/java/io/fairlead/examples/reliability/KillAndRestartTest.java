package io.fairlead.examples.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fairlead.demo.Backends;
import io.fairlead.demo.Calls;
import io.fairlead.demo.Tally;
import io.fairlead.demo.XdsClients;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code fairlead serve} runs as its own process; a grpc-java xDS client is connected. The process
 * is killed with SIGKILL and started again on the same ports: the client keeps serving from its
 * last config meanwhile, reconnects, finds the same versions (content hashes), and keeps following
 * changes. Nothing is lost.
 */
class KillAndRestartTest {

  private static final String A = "127.0.0.11";
  private static final String B = "127.0.0.12";
  private static final String TARGET = "echo.rel.svc.cluster.local:9090";

  @TempDir static Path dir;
  private static Backends backends;
  private static int xdsPort;
  private static int adminPort;
  private static Process serve;

  @BeforeAll
  static void start() throws Exception {
    backends = Backends.start(List.of(A, B), 0);
    xdsPort = freePort();
    adminPort = freePort();
    Files.writeString(
        dir.resolve("echo.yaml"),
        """
        apiVersion: v1
        kind: Service
        metadata: {name: echo, namespace: rel}
        spec:
          ports: [{name: grpc, port: 9090}]
        """);
    writeSlice(A);
    serve = startServe();
    XdsClients.useControlPlane("127.0.0.1:" + xdsPort, "kill-restart-client");
  }

  @AfterAll
  static void stop() throws Exception {
    if (serve != null) {
      serve.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    backends.close();
  }

  @Test
  void sigkillAndRestartLoseNothing() throws Exception {
    ManagedChannel channel = XdsClients.channel(TARGET);
    try {
      Calls.untilAnswered(channel, Set.of(A), Duration.ofSeconds(30));
      Map<String, String> before = ackedVersions();
      assertThat(before).isNotEmpty();

      serve.destroyForcibly();
      assertThat(serve.waitFor(10, TimeUnit.SECONDS)).isTrue();
      // With the control plane gone the client keeps using its last config.
      Tally whileDown = Calls.sequential(channel, 20);
      assertThat(whileDown.counts()).containsOnlyKeys(A);

      serve = startServe();
      awaitReady();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!before.equals(ackedVersions()) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      // The restarted process serves byte-identical config under the same versions, so the
      // reconnected client is sent nothing at all.
      assertThat(ackedVersions()).isEqualTo(before);
      assertThat(get("/metrics").body()).contains("fairlead_xds_pushes_total 0.0");

      writeSlice(A, B);
      Calls.untilAnswered(channel, Set.of(A, B), Duration.ofSeconds(10));
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Process startServe() throws IOException {
    return ServeProcess.start(
        dir,
        xdsPort,
        adminPort,
        List.of(),
        List.of("--quiet-period", "20ms", "--max-delay", "200ms"));
  }

  private static void awaitReady() throws Exception {
    ServeProcess.awaitReady(dir, adminPort);
  }

  /** The versions the client has ACKed, by type, as the running serve process reports them. */
  private static Map<String, String> ackedVersions() throws Exception {
    Map<String, String> out = new TreeMap<>();
    JsonNode connections = new ObjectMapper().readTree(get("/debug/connections").body());
    for (JsonNode c : connections.isArray() ? connections : connections.path("connections")) {
      if (c.path("node").asText().equals("kill-restart-client")) {
        c.path("ackedVersions")
            .fields()
            .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
      }
    }
    return out;
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static void writeSlice(String... ips) throws IOException {
    StringBuilder yaml =
        new StringBuilder(
            """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: echo-1
              namespace: rel
              labels: {kubernetes.io/service-name: echo}
            addressType: IPv4
            ports: [{name: grpc, port: %d}]
            endpoints:
            """
                .formatted(backends.port()));
    for (String ip : ips) {
      yaml.append("  - addresses: [").append(ip).append("]\n    conditions: {ready: true}\n");
    }
    Path tmp = dir.resolve("slice.tmp");
    Files.writeString(tmp, yaml.toString());
    Files.move(
        tmp,
        dir.resolve("slice.yaml"),
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
