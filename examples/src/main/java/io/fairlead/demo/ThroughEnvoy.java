package io.fairlead.demo;

import static io.fairlead.demo.DemoEnvironment.FOURTH_POD;
import static io.fairlead.demo.DemoEnvironment.PODS;

import io.fairlead.bootstrap.BootstrapWriter;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Scenario 5, where an Envoy binary is found: the same control plane configures a real Envoy, and a
 * plain gRPC client (no xDS) sends its RPCs over one HTTP/2 connection to it; Envoy balances each
 * RPC on its own over the pods of demo/echo. Without Envoy the step is skipped.
 */
final class ThroughEnvoy {

  static final int CALLS = 400;
  static final Duration LISTENER_LIMIT = Duration.ofSeconds(20);
  static final Duration ANSWER_LIMIT = Duration.ofSeconds(20);

  /** It runs after the scale-up, so demo/echo has all four pods. */
  static final List<String> ECHO_PODS =
      Stream.concat(PODS.stream(), Stream.of(FOURTH_POD)).toList();

  sealed interface Result {
    /** A part of the demo's summary line; nothing when the step was skipped. */
    Optional<String> summary();
  }

  record Skipped(String reason) implements Result {
    @Override
    public Optional<String> summary() {
      return Optional.empty();
    }
  }

  record Ran(Tally tally) implements Result {
    @Override
    public Optional<String> summary() {
      return Optional.of(
          "through Envoy " + CALLS + " RPCs on one connection spread " + tally.spread(ECHO_PODS));
    }
  }

  private ThroughEnvoy() {}

  static Result run(DemoEnvironment env, PrintWriter out, EnvoyBinary binary)
      throws DemoFailure, IOException {
    if (binary instanceof EnvoyBinary.Missing missing) {
      out.println("6. Envoy: skipped (" + missing.reason() + ")");
      out.println();
      return new Skipped(missing.reason());
    }
    if (binary instanceof EnvoyBinary.Unusable unusable) {
      throw new DemoFailure(
          unusable.problem() + "; unset " + EnvoyBinary.ENV_VAR + " to skip the Envoy step");
    }
    EnvoyBinary.Found found = (EnvoyBinary.Found) binary;
    Path dir = Files.createTempDirectory("fairlead-demo-envoy-");
    boolean ok = false;
    try {
      Result result = runEnvoy(env, out, found, dir);
      ok = true;
      return result;
    } finally {
      // after a failure the directory stays: the message points at Envoy's log in it
      if (ok) {
        deleteTree(dir);
      }
    }
  }

  private static Ran runEnvoy(
      DemoEnvironment env, PrintWriter out, EnvoyBinary.Found found, Path dir)
      throws DemoFailure, IOException {
    int xdsPort = env.server.controlPlane().xdsPort();
    int[] ports = freePorts();
    int gatewayPort = ports[0];
    int adminPort = ports[1];
    Path config = dir.resolve("bootstrap.yaml");
    Files.writeString(
        config, BootstrapWriter.toYaml(EnvoyGateway.bootstrap(xdsPort, gatewayPort, adminPort)));

    out.println("6. Envoy (gateway role, standing in for a sidecar without iptables)");
    out.println(
        "   "
            + found.path()
            + " (from "
            + found.via()
            + "), with a bootstrap from Fairlead's generator:");
    out.println(
        "   gateway group "
            + EnvoyGateway.GROUP
            + ", listener 0.0.0.0:"
            + gatewayPort
            + ", admin 127.0.0.1:"
            + adminPort
            + ", xDS from 127.0.0.1:"
            + xdsPort
            + ".");
    out.println(
        "   demo/echo is exposed to that group (fairlead.io/gateway: "
            + EnvoyGateway.GROUP
            + ", any host). A sidecar would");
    out.println(
        "   need iptables to capture traffic; a gateway is dialled directly and balances alike.");

    Connections before = Connections.of(env);
    Tally tally;
    long clientConnections;
    Duration listening;
    Duration answered;
    try (EnvoyProcess envoy =
        EnvoyProcess.start(EnvoyGateway.command(found.path(), config), dir.resolve("envoy.log"))) {
      listening = envoy.awaitListener(gatewayPort, LISTENER_LIMIT);
      ManagedChannel channel =
          Grpc.newChannelBuilderForAddress(
                  "127.0.0.1", gatewayPort, InsecureChannelCredentials.create())
              .build();
      try {
        try {
          answered = Calls.untilAnswered(channel, Set.copyOf(ECHO_PODS), ANSWER_LIMIT);
          tally = Calls.sequential(channel, CALLS);
        } catch (DemoFailure | StatusRuntimeException e) {
          throw envoy.failure("through Envoy: " + e.getMessage());
        }
        // read while the channel is open: the readiness probe's connection closed long ago
        clientConnections = envoy.stat(adminPort, EnvoyGateway.activeConnectionsStat(gatewayPort));
      } finally {
        channel.shutdownNow();
        awaitTermination(channel);
      }
    }
    Map<String, Long> envoyConnections = Connections.of(env).since(before);

    out.println(
        "   Its listener accepted connections "
            + Format.duration(listening)
            + " after Envoy started, and all four pods answered");
    out.println(
        "   "
            + Format.duration(answered)
            + " later. Then "
            + CALLS
            + " RPCs, one after the other, on one plain grpc-java channel (no xDS)");
    out.println(
        "   to 127.0.0.1:"
            + gatewayPort
            + ": Envoy held "
            + clientConnections
            + " connection from it, and balanced each RPC on its own.");
    out.println();
    TextTable table =
        new TextTable(
            TextTable.Column.text("pod"),
            TextTable.Column.number("RPCs via Envoy"),
            TextTable.Column.number("connections from Envoy"));
    for (String pod : ECHO_PODS) {
      table.row(pod, tally.count(pod), envoyConnections.get(pod));
    }
    table.lines("   ").forEach(out::println);
    out.println();

    if (clientConnections != 1) {
      throw new DemoFailure(
          "Envoy held " + clientConnections + " connections from the one client channel");
    }
    for (String pod : ECHO_PODS) {
      int count = tally.count(pod);
      if (count < CALLS * 3 / 16 || count > CALLS * 5 / 16) {
        throw new DemoFailure(
            "through Envoy the spread " + tally.spread(ECHO_PODS) + " is not even");
      }
    }
    return new Ran(tally);
  }

  /**
   * A free port on every address for the gateway listener (0.0.0.0) and one on 127.0.0.1 for admin.
   */
  private static int[] freePorts() throws IOException {
    try (ServerSocket gateway = new ServerSocket(0);
        ServerSocket admin = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return new int[] {gateway.getLocalPort(), admin.getLocalPort()};
    }
  }

  private static void awaitTermination(ManagedChannel channel) {
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp directory is harmless
    }
  }
}
