package io.fairlead.demo;

import io.fairlead.k8s.DirectorySource;
import io.fairlead.k8s.KubeSourceException;
import io.fairlead.xds.ControlPlane;
import io.fairlead.xds.FairleadServer;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Everything the demo runs in this process: a watched manifest directory, the pods, a Fairlead
 * control plane on it, and the xDS channels of the client. Closing it stops all of them and deletes
 * the directory.
 */
final class DemoEnvironment implements AutoCloseable {

  /** The three pods every demo Service starts with. */
  static final List<String> PODS = List.of("127.0.0.11", "127.0.0.12", "127.0.0.13");

  /** The pod the scale-up adds; it runs from the start but is in no EndpointSlice until then. */
  static final String FOURTH_POD = "127.0.0.14";

  static final String NODE_ID = "fairlead-demo";

  final Path dir;
  final Backends backends;
  final FairleadServer server;
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();

  private DemoEnvironment(Path dir, Backends backends, FairleadServer server) {
    this.dir = dir;
    this.backends = backends;
    this.server = server;
  }

  /**
   * Starts the pods on {@code preferredPort} (or any port they can share when it is taken), writes
   * the manifests and starts the control plane on ephemeral ports of 127.0.0.1.
   */
  static DemoEnvironment start(int preferredPort) throws IOException, DemoFailure {
    List<String> hosts = Stream.concat(PODS.stream(), Stream.of(FOURTH_POD)).toList();
    Backends backends = startBackends(hosts, preferredPort);
    Path dir = null;
    FairleadServer server = null;
    try {
      dir = Files.createTempDirectory("fairlead-demo-");
      DemoManifests.writeInitial(dir, backends.port());
      server =
          FairleadServer.start(
              new DirectorySource(dir),
              ControlPlane.Settings.onLoopback(Duration.ofMillis(50), Duration.ofMillis(250)));
      XdsClients.useControlPlane("127.0.0.1:" + server.controlPlane().xdsPort(), NODE_ID);
      return new DemoEnvironment(dir, backends, server);
    } catch (KubeSourceException e) {
      abandon(server, backends, dir);
      throw new DemoFailure("cannot watch " + dir + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      abandon(server, backends, dir);
      throw e;
    }
  }

  /** Stops what a failed start had started. */
  private static void abandon(FairleadServer server, Backends backends, Path dir) {
    if (server != null) {
      server.close();
    }
    backends.close();
    deleteTree(dir);
  }

  private static Backends startBackends(List<String> hosts, int preferredPort) throws DemoFailure {
    try {
      return Backends.start(hosts, preferredPort);
    } catch (IOException taken) {
      try {
        return Backends.start(hosts, 0);
      } catch (IOException e) {
        throw new DemoFailure("cannot start the pods on " + hosts + ": " + e.getMessage(), e);
      }
    }
  }

  /** The one channel of the client to a demo Service, made on first use. */
  ManagedChannel channel(String service) {
    return channels.computeIfAbsent(service, s -> XdsClients.channel(DemoManifests.listener(s)));
  }

  EchoBackend pod(String host) {
    return backends.get(host);
  }

  @Override
  public void close() {
    for (ManagedChannel channel : channels.values()) {
      channel.shutdownNow();
    }
    for (ManagedChannel channel : channels.values()) {
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    server.close();
    backends.close();
    deleteTree(dir);
  }

  private static void deleteTree(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp directory is harmless
    }
  }
}
