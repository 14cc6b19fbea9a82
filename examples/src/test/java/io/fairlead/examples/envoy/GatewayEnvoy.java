package io.fairlead.examples.envoy;

import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.fairlead.bootstrap.BootstrapGenerator;
import io.fairlead.bootstrap.BootstrapParams;
import io.fairlead.bootstrap.BootstrapWriter;
import io.fairlead.k8s.DirectorySource;
import io.fairlead.translators.ProxyRole;
import io.fairlead.translators.TranslationSettings;
import io.fairlead.xds.ControlPlane;
import io.fairlead.xds.FairleadServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * A real control plane and a real gateway Envoy: Fairlead runs in this JVM on a watched directory
 * of manifests, Envoy runs in a container with the bootstrap `fairlead bootstrap` would render, and
 * connects over delta ADS.
 *
 * <p>Envoy shares the host's network namespace (Linux Docker only). That keeps addresses real:
 * EndpointSlices name loopback addresses where this JVM's backends listen, and clients connect from
 * any 127.x.y.z, which is what source-IP and subnet affinity need to be tested.
 */
final class GatewayEnvoy implements AutoCloseable {

  private final Path manifests;
  private final FairleadServer fairlead;
  private final GenericContainer<?> envoy;
  private final int gatewayPort;
  private final int adminPort;
  private final HttpClient admin = HttpClient.newHttpClient();

  private GatewayEnvoy(
      Path manifests,
      FairleadServer fairlead,
      GenericContainer<?> envoy,
      int gatewayPort,
      int adminPort) {
    this.manifests = manifests;
    this.fairlead = fairlead;
    this.envoy = envoy;
    this.gatewayPort = gatewayPort;
    this.adminPort = adminPort;
  }

  static GatewayEnvoy start() throws Exception {
    return start(
        (xds, admin, listener) ->
            BootstrapParams.builder()
                .role(ProxyRole.GATEWAY)
                .xdsAddress(xds)
                .nodeId("gateway~envoy-test")
                .cluster("envoy-test")
                .gatewayGroup("default")
                .gatewayPort(listener)
                .adminPort(admin));
  }

  /** How a test's Envoy is bootstrapped, given the xDS address and its two free ports. */
  @FunctionalInterface
  interface Bootstraps {
    BootstrapParams.Builder params(String xdsAddress, int adminPort, int listenerPort);
  }

  /**
   * The same control plane and container with another bootstrap (a sidecar's, for one): {@code
   * listenerPort} is free for the listener a test needs, {@link #gatewayPort()} returns it.
   */
  static GatewayEnvoy start(Bootstraps params) throws Exception {
    Path dir = Files.createTempDirectory("fairlead-envoy-test");
    FairleadServer fairlead =
        FairleadServer.start(
            new DirectorySource(dir, Duration.ofMillis(500)),
            ControlPlane.Settings.onLoopback(Duration.ofMillis(20), Duration.ofMillis(200)),
            // as serve's default: a JSON access log line per request on Envoy's stdout
            TranslationSettings.DEFAULT.withAccessLog(TranslationSettings.AccessLogFormat.JSON));
    int gatewayPort = freePort();
    int adminPort = freePort();
    Bootstrap bootstrap =
        BootstrapGenerator.generate(
            params
                .params("127.0.0.1:" + fairlead.controlPlane().xdsPort(), adminPort, gatewayPort)
                .build());
    GenericContainer<?> envoy =
        new GenericContainer<>(DockerImageName.parse(EnvoyImage.NAME))
            .withNetworkMode("host")
            .withCopyToContainer(
                Transferable.of(
                    BootstrapWriter.write(bootstrap, BootstrapWriter.Format.YAML), 0644),
                "/etc/fairlead/bootstrap.yaml")
            .withCommand(
                "envoy",
                "--config-path",
                "/etc/fairlead/bootstrap.yaml",
                "--disable-hot-restart",
                "--log-level",
                "info")
            .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("envoy")))
            .waitingFor(
                Wait.forLogMessage("(?s).*starting main dispatch loop.*", 1)
                    .withStartupTimeout(Duration.ofSeconds(120)));
    try {
      envoy.start();
    } catch (RuntimeException e) {
      fairlead.close();
      throw e;
    }
    return new GatewayEnvoy(dir, fairlead, envoy, gatewayPort, adminPort);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Writes one manifest file atomically; Fairlead picks it up within about a second. */
  void apply(String name, String yaml) throws IOException {
    Path tmp = manifests.resolve("." + name + ".tmp");
    Files.writeString(tmp, yaml);
    Files.move(
        tmp,
        manifests.resolve(name + ".yaml"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  RawHttp.Response get(String source, String authority, Map<String, String> headers)
      throws IOException {
    return RawHttp.get(source, "127.0.0.1", gatewayPort, authority, headers);
  }

  /** Polls until the gateway answers for the host as the predicate wants, or fails after 60 s. */
  RawHttp.Response await(
      String authority, Map<String, String> headers, Predicate<RawHttp.Response> done)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    RawHttp.Response last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = get("127.0.0.1", authority, headers);
        if (done.test(last)) {
          return last;
        }
      } catch (IOException e) {
        // the gateway listener is not there yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("gateway never answered " + authority + " as expected; last: " + last);
  }

  /** What Envoy wrote on stdout so far: its access log lines. */
  String stdout() {
    return envoy.getLogs(org.testcontainers.containers.output.OutputFrame.OutputType.STDOUT);
  }

  int gatewayPort() {
    return gatewayPort;
  }

  /** An Envoy admin page (/stats, /config_dump, ...), as text. */
  String admin(String pathAndQuery) throws Exception {
    return admin
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + pathAndQuery))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** A counter or gauge from /stats, 0 when Envoy does not have it yet. */
  long stat(String name) throws Exception {
    String regex = "^" + name.replace(".", "\\.") + "$";
    for (String line :
        admin("/stats?filter=" + URLEncoder.encode(regex, StandardCharsets.UTF_8)).split("\n")) {
      if (line.startsWith(name + ": ")) {
        return Long.parseLong(line.substring(name.length() + 2).trim());
      }
    }
    return 0;
  }

  @Override
  public void close() throws IOException {
    try {
      envoy.stop();
    } finally {
      fairlead.close();
      try (Stream<Path> files = Files.walk(manifests)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
