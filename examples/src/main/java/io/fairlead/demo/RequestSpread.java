package io.fairlead.demo;

import static io.fairlead.demo.DemoEnvironment.PODS;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 1: one channel, every RPC balanced on its own over one long-lived connection per pod;
 * next to it, what a connection-balancing kube-proxy does with the same single connection.
 */
final class RequestSpread {

  static final String SERVICE = "echo";
  static final int CALLS = 300;

  record Result(Tally fairlead, Tally kubeProxy) {
    String summary() {
      return CALLS
          + " RPCs on one channel spread "
          + fairlead.spread(PODS)
          + " over one connection per pod (kube-proxy: "
          + kubeProxy.spread(PODS)
          + ")";
    }
  }

  private RequestSpread() {}

  static Result run(DemoEnvironment env, PrintWriter out) throws DemoFailure {
    out.println("1. Request-level balancing over long-lived connections");
    out.println(
        "   Service demo/echo (round-robin). "
            + CALLS
            + " RPCs, one after the other, on one channel to");
    out.println("   xds:///" + DemoManifests.listener(SERVICE) + ".");
    Connections before = Connections.of(env);
    ManagedChannel channel = env.channel(SERVICE);
    Duration firstAnswers = Calls.untilAnswered(channel, Set.copyOf(PODS), Duration.ofSeconds(20));
    out.println(
        "   All three pods answered "
            + Format.duration(firstAnswers)
            + " after the channel was made: a cold JVM fetched listener,");
    out.println(
        "   route, cluster and endpoints from Fairlead, then opened one connection to each pod.");
    Tally fairlead = Calls.sequential(channel, CALLS);
    Map<String, Long> fairleadConnections = Connections.of(env).since(before);

    // kube-proxy picks a pod once, when the connection opens, at random; every RPC follows it
    String picked = PODS.get(ThreadLocalRandom.current().nextInt(PODS.size()));
    out.println(
        "   kube-proxy balances connections instead: the same RPCs on one plain channel (one HTTP/2");
    out.println(
        "   connection) to the pod it would pick when the connection opens (at random: "
            + picked
            + ").");
    out.println();
    Connections beforePlain = Connections.of(env);
    ManagedChannel plain =
        Grpc.newChannelBuilderForAddress(
                picked, env.backends.port(), InsecureChannelCredentials.create())
            .build();
    Tally kubeProxy;
    try {
      kubeProxy = Calls.sequential(plain, CALLS);
    } finally {
      plain.shutdownNow();
      awaitTermination(plain);
    }
    Map<String, Long> plainConnections = Connections.of(env).since(beforePlain);

    TextTable table =
        new TextTable(
            TextTable.Column.text("pod"),
            TextTable.Column.number("Fairlead RPCs"),
            TextTable.Column.number("connections"),
            TextTable.Column.number("kube-proxy RPCs"),
            TextTable.Column.number("connections"));
    for (String pod : PODS) {
      table.row(
          pod,
          fairlead.count(pod),
          fairleadConnections.get(pod),
          kubeProxy.count(pod),
          plainConnections.get(pod));
    }
    table.lines("   ").forEach(out::println);
    out.println();

    for (String pod : PODS) {
      int count = fairlead.count(pod);
      if (count < CALLS * 8 / 30 || count > CALLS * 12 / 30) {
        throw new DemoFailure("round-robin spread " + fairlead.spread(PODS) + " is not even");
      }
      if (fairleadConnections.get(pod) != 1) {
        throw new DemoFailure(
            "the channel opened " + fairleadConnections.get(pod) + " connections to " + pod);
      }
    }
    return new Result(fairlead, kubeProxy);
  }

  private static void awaitTermination(ManagedChannel channel) {
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
