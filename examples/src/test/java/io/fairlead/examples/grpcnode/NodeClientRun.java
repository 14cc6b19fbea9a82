package io.fairlead.examples.grpcnode;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.envoyproxy.controlplane.cache.Resources;
import io.fairlead.k8s.DirectorySource;
import io.fairlead.policies.Diagnostic;
import io.fairlead.xds.ConnectionInfo;
import io.fairlead.xds.ControlPlane;
import io.fairlead.xds.FairleadServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One grpc-node client run against a fresh in-process Fairlead serving {@link DemoServices}, and
 * what the control plane saw of the client while its stream was open.
 *
 * @param result the client's JSON result
 * @param connection the client's xDS stream, once it had ACKed listeners, clusters and endpoints
 *     (or as it was when waiting for that gave up)
 * @param diagnostics the diagnostics of every translation the control plane published
 * @param metrics the Prometheus scrape after the run
 */
record NodeClientRun(
    JsonNode result,
    int exitCode,
    String stderr,
    Optional<ConnectionInfo> connection,
    List<Diagnostic> diagnostics,
    String metrics) {

  static final String NODE_ID = "grpc-node-e2e";

  static NodeClientRun against(DemoServices services, Path dir, List<String> scenarios)
      throws Exception {
    Path manifests = Files.createDirectory(dir.resolve("manifests"));
    Files.writeString(manifests.resolve("demo.yaml"), services.yaml());
    try (FairleadServer server =
        FairleadServer.start(
            new DirectorySource(manifests),
            new ControlPlane.Settings(
                new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", 0),
                Duration.ZERO,
                Duration.ofMillis(50)))) {
      awaitReady(server);
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--xds",
                  "127.0.0.1:" + server.controlPlane().xdsPort(),
                  "--backend-port",
                  String.valueOf(services.port()),
                  "--backends",
                  String.join(",", services.backendIps()),
                  "--node-id",
                  NODE_ID,
                  "--timeout-ms",
                  "30000"));
      services.zone().ifPresent(z -> args.addAll(List.of("--zone", z)));
      args.addAll(scenarios);
      try (NodeClient client = NodeClient.start(args, dir.resolve("client.stderr"))) {
        JsonNode result = client.awaitResult(Duration.ofSeconds(40));
        // While the client still holds its stream open.
        Optional<ConnectionInfo> connection = awaitAcks(server);
        int exitCode = client.finish(Duration.ofSeconds(10));
        return new NodeClientRun(
            result,
            exitCode,
            client.stderr(),
            connection,
            server.controlPlane().publisher().diagnostics(),
            server.controlPlane().metrics().scrape());
      }
    }
  }

  /** A scenario of the result, by the name given with {@code --name}. */
  JsonNode scenario(String name) {
    for (JsonNode s : result.path("scenarios")) {
      if (s.path("name").asText().equals(name)) {
        return s;
      }
    }
    throw new AssertionError("no scenario " + name + " in " + result + "\nstderr:\n" + stderr);
  }

  private static void awaitReady(FairleadServer server) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!server.ready()) {
      assertThat(System.nanoTime()).as("control plane ready within 10 s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** The RPCs succeeded, so the resources were accepted; the ACK messages may trail a little. */
  private static Optional<ConnectionInfo> awaitAcks(FairleadServer server)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (true) {
      Optional<ConnectionInfo> c =
          server.controlPlane().callbacks().connections().stream()
              .filter(i -> i.nodeId().equals(NODE_ID))
              .findFirst();
      boolean acked =
          c.map(ConnectionInfo::ackedVersions)
              .filter(
                  v ->
                      v.containsKey(Resources.V3.LISTENER_TYPE_URL)
                          && v.containsKey(Resources.V3.CLUSTER_TYPE_URL)
                          && v.containsKey(Resources.V3.ENDPOINT_TYPE_URL))
              .isPresent();
      if (acked || System.nanoTime() > deadline) {
        return c;
      }
      Thread.sleep(20);
    }
  }
}
